// Bare-metal benchmark workloads for testing/bench/run-bench.py. One source,
// one ELF per workload (build-bench.sh compiles it with -DWORKLOAD=n). Each
// workload does a fixed amount of deterministic work (roughly 100 to 200
// million instructions), prints one line
//     bench <name> checksum <16 hex digits>
// on the ns16550a UART and powers off. The checksum depends on every result
// the workload computed, so an emulator that gets anything wrong prints a
// different line; run-bench.py checks that all emulators agree.
//
// Integer: crc32, sort, statemachine, matmul, search. FP: nbody, linsolve.
// Memory: memcopy (fill + copy).
#include <stddef.h>
#include <stdint.h>

// ---- console (ns16550a THR at 0x10000000, LSR bit 5 = THR empty) ----
static volatile uint8_t* const uart = (volatile uint8_t*)0x10000000;
static void put_char(char c) {
  while ((uart[5] & 0x20) == 0) {
  }
  uart[0] = (uint8_t)c;
}
static void put_string(const char* s) {
  while (*s) put_char(*s++);
}
static void put_hex64(uint64_t value) {
  for (int shift = 60; shift >= 0; shift -= 4) put_char("0123456789abcdef"[(value >> shift) & 0xf]);
}

// xorshift64: the workloads' deterministic input data.
static uint64_t random_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return random_state;
}

static uint64_t mix(uint64_t hash, uint64_t value) { return (hash ^ value) * 0x100000001b3ull; }

// Shared buffers (bss).
#define BUFFER_BYTES (1u << 20)
static uint8_t buffer_a[BUFFER_BYTES] __attribute__((aligned(64)));
static uint8_t buffer_b[BUFFER_BYTES] __attribute__((aligned(64)));

static void fill_text(uint8_t* text, size_t length) {
  static const char alphabet[] = "etaoinshrdlu cmfwyp,vbgk.jqxz 0123456789\n";
  for (size_t i = 0; i < length; ++i) text[i] = (uint8_t)alphabet[next_random() % (sizeof alphabet - 1)];
}

// ---- crc32: bitwise CRC-32 (reflected 0xedb88320) over 64 KiB, 40 passes ----
static uint64_t crc32_workload(void) {
  const size_t length = 64 * 1024;
  for (size_t i = 0; i < length; ++i) buffer_a[i] = (uint8_t)next_random();
  uint64_t hash = 0;
  for (int pass = 0; pass < 40; ++pass) {
    uint32_t crc = 0xffffffffu ^ (uint32_t)pass;
    for (size_t i = 0; i < length; ++i) {
      crc ^= buffer_a[i];
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    hash = mix(hash, ~crc);
  }
  return hash;
}

// ---- sort: quicksort (median of three, insertion sort below 16) of 64 Ki words, 8 times ----
static void insertion_sort(uint32_t* a, long n) {
  for (long i = 1; i < n; ++i) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}
static void quicksort(uint32_t* a, long n) {
  while (n > 16) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i >= j) break;
      uint32_t t = a[i];
      a[i] = a[j];
      a[j] = t;
      ++i;
      --j;
    }
    // Recurse into the smaller part, loop on the larger (bounded stack).
    if (j + 1 < n - j - 1) {
      quicksort(a, j + 1);
      a += j + 1;
      n -= j + 1;
    } else {
      quicksort(a + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  insertion_sort(a, n);
}
static uint64_t sort_workload(void) {
  const long count = 64 * 1024;
  uint32_t* a = (uint32_t*)buffer_a;
  uint64_t hash = 0;
  for (int round = 0; round < 8; ++round) {
    for (long i = 0; i < count; ++i) a[i] = (uint32_t)next_random();
    quicksort(a, count);
    for (long i = 0; i < count; i += 97) hash = mix(hash, a[i]);
    for (long i = 1; i < count; ++i) {
      if (a[i - 1] > a[i]) return 0;  // not sorted: a checksum no correct run prints
    }
  }
  return hash;
}

// ---- statemachine: a tokenizer (words, numbers, punctuation, lines) over 64 KiB of text, 120 passes ----
enum State { kSpace, kWord, kNumber, kPunct };
static uint64_t statemachine_workload(void) {
  const size_t length = 64 * 1024;
  fill_text(buffer_a, length);
  uint64_t hash = 0;
  for (int pass = 0; pass < 120; ++pass) {
    enum State state = kSpace;
    uint64_t words = 0, numbers = 0, punctuation = 0, lines = 0, value = 0, word_hash = (uint64_t)pass;
    for (size_t i = 0; i < length; ++i) {
      const uint8_t c = buffer_a[i];
      switch (state) {
        case kSpace:
        case kPunct:
          if (c >= 'a' && c <= 'z') {
            state = kWord;
            word_hash = word_hash * 31 + c;
            ++words;
          } else if (c >= '0' && c <= '9') {
            state = kNumber;
            value = (uint64_t)(c - '0');
            ++numbers;
          } else if (c == ',' || c == '.') {
            state = kPunct;
            ++punctuation;
          } else {
            state = kSpace;
            lines += c == '\n';
          }
          break;
        case kWord:
          if (c >= 'a' && c <= 'z') {
            word_hash = word_hash * 31 + c;
          } else {
            state = c == ',' || c == '.' ? kPunct : kSpace;
            punctuation += state == kPunct;
            lines += c == '\n';
          }
          break;
        case kNumber:
          if (c >= '0' && c <= '9') {
            value = value * 10 + (uint64_t)(c - '0');
          } else {
            word_hash ^= value;
            state = c == ',' || c == '.' ? kPunct : kSpace;
            punctuation += state == kPunct;
            lines += c == '\n';
          }
          break;
      }
    }
    hash = mix(mix(mix(mix(mix(hash, words), numbers), punctuation), lines), word_hash);
  }
  return hash;
}

// ---- matmul: 96x96 int32 matrices, C = A * B, 25 times (B changes each time) ----
#define N 96
static uint64_t matmul_workload(void) {
  int32_t(*a)[N] = (int32_t(*)[N])buffer_a;
  int32_t(*b)[N] = (int32_t(*)[N])(buffer_a + sizeof(int32_t) * N * N);
  int32_t(*c)[N] = (int32_t(*)[N])buffer_b;
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      a[i][j] = (int32_t)(next_random() % 2001) - 1000;
      b[i][j] = (int32_t)(next_random() % 2001) - 1000;
    }
  }
  uint64_t hash = 0;
  for (int round = 0; round < 25; ++round) {
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) {
        int32_t sum = 0;
        for (int k = 0; k < N; ++k) sum += a[i][k] * b[k][j];
        c[i][j] = sum;
      }
    }
    for (int i = 0; i < N; ++i) hash = mix(hash, (uint32_t)c[i][(i * 7 + round) % N]);
    b[round % N][round % N] += 1;
  }
  return hash;
}
#undef N

// ---- search: naive search of 8 patterns in 64 KiB of text, 40 passes ----
static uint64_t search_workload(void) {
  const size_t length = 64 * 1024;
  fill_text(buffer_a, length);
  static const char* const patterns[] = {"the", "a.", "etao", "99", "nsh", "zq", "rdl", "\n1"};
  uint64_t hash = 0;
  for (int pass = 0; pass < 40; ++pass) {
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; ++p) {
      const char* pattern = patterns[p];
      size_t pattern_length = 0;
      while (pattern[pattern_length]) ++pattern_length;
      uint64_t found = 0, first = length;
      for (size_t i = (size_t)pass; i + pattern_length <= length; ++i) {
        size_t k = 0;
        while (k < pattern_length && buffer_a[i + k] == (uint8_t)pattern[k]) ++k;
        if (k == pattern_length) {
          ++found;
          if (first == length) first = i;
        }
      }
      hash = mix(mix(hash, found), first);
    }
  }
  return hash;
}

// ---- nbody: five bodies (the classic Sun/planets system), 250000 steps ----
static double square_root(double x) { return __builtin_sqrt(x); }
static uint64_t bits_of(double x) {
  uint64_t bits;
  __builtin_memcpy(&bits, &x, sizeof bits);
  return bits;
}
static uint64_t nbody_workload(void) {
  const double pi = 3.141592653589793, solar_mass = 4 * pi * pi, days_per_year = 365.24;
  double x[5] = {0, 4.84143144246472090e+00, 8.34336671824457987e+00, 1.28943695621391310e+01,
                 1.53796971148509165e+01};
  double y[5] = {0, -1.16032004402742839e+00, 4.12479856412430479e+00, -1.51111514016986312e+01,
                 -2.59193146099879641e+01};
  double z[5] = {0, -1.03622044471123109e-01, -4.03523417114321381e-01, -2.23307578892655734e-01,
                 1.79258772950371181e-01};
  double vx[5] = {0, 1.66007664274403694e-03, -2.76742510726862411e-03, 2.96460137564761618e-03,
                  2.68067772490389322e-03};
  double vy[5] = {0, 7.69901118419740425e-03, 4.99852801234917238e-03, 2.37847173959480950e-03,
                  1.62824170038242295e-03};
  double vz[5] = {0, -6.90460016972063023e-05, 2.30417297573763929e-05, -2.96589568540237556e-05,
                  -9.51592254519715870e-05};
  double mass[5] = {1, 9.54791938424326609e-04, 2.85885980666130812e-04, 4.36624404335156298e-05,
                    5.15138902046611451e-05};
  for (int i = 0; i < 5; ++i) {
    vx[i] *= days_per_year;
    vy[i] *= days_per_year;
    vz[i] *= days_per_year;
    mass[i] *= solar_mass;
  }
  const double dt = 0.01;
  for (int step = 0; step < 250000; ++step) {
    for (int i = 0; i < 5; ++i) {
      for (int j = i + 1; j < 5; ++j) {
        const double dx = x[i] - x[j], dy = y[i] - y[j], dz = z[i] - z[j];
        const double distance2 = dx * dx + dy * dy + dz * dz;
        const double magnitude = dt / (distance2 * square_root(distance2));
        vx[i] -= dx * mass[j] * magnitude;
        vy[i] -= dy * mass[j] * magnitude;
        vz[i] -= dz * mass[j] * magnitude;
        vx[j] += dx * mass[i] * magnitude;
        vy[j] += dy * mass[i] * magnitude;
        vz[j] += dz * mass[i] * magnitude;
      }
    }
    for (int i = 0; i < 5; ++i) {
      x[i] += dt * vx[i];
      y[i] += dt * vy[i];
      z[i] += dt * vz[i];
    }
  }
  uint64_t hash = 0;
  for (int i = 0; i < 5; ++i) hash = mix(mix(mix(hash, bits_of(x[i])), bits_of(y[i])), bits_of(vz[i]));
  return hash;
}

// ---- linsolve: Gaussian elimination with partial pivoting, 40x40 doubles, 400 systems ----
#define M 40
static uint64_t linsolve_workload(void) {
  double(*a)[M + 1] = (double(*)[M + 1])buffer_a;
  double solution[M];
  uint64_t hash = 0;
  for (int system = 0; system < 400; ++system) {
    for (int i = 0; i < M; ++i) {
      for (int j = 0; j <= M; ++j) a[i][j] = (double)(int64_t)(next_random() % 2001 - 1000) / 64.0;
      a[i][i] += 4000.0;  // diagonally dominant: well conditioned
    }
    for (int column = 0; column < M; ++column) {
      int pivot = column;
      for (int row = column + 1; row < M; ++row) {
        const double candidate = a[row][column] < 0 ? -a[row][column] : a[row][column];
        const double best = a[pivot][column] < 0 ? -a[pivot][column] : a[pivot][column];
        if (candidate > best) pivot = row;
      }
      if (pivot != column) {
        for (int j = 0; j <= M; ++j) {
          const double t = a[column][j];
          a[column][j] = a[pivot][j];
          a[pivot][j] = t;
        }
      }
      for (int row = column + 1; row < M; ++row) {
        const double factor = a[row][column] / a[column][column];
        for (int j = column; j <= M; ++j) a[row][j] -= factor * a[column][j];
      }
    }
    for (int row = M - 1; row >= 0; --row) {
      double sum = a[row][M];
      for (int j = row + 1; j < M; ++j) sum -= a[row][j] * solution[j];
      solution[row] = sum / a[row][row];
    }
    for (int i = 0; i < M; i += 7) hash = mix(hash, bits_of(solution[i]));
  }
  return hash;
}
#undef M

// ---- memcopy: fill 1 MiB with 64-bit stores and copy it with 64-bit loads/stores, 60 rounds ----
static uint64_t memcopy_workload(void) {
  uint64_t* source = (uint64_t*)buffer_a;
  uint64_t* destination = (uint64_t*)buffer_b;
  const size_t words = BUFFER_BYTES / 8;
  uint64_t hash = 0;
  for (int round = 0; round < 60; ++round) {
    const uint64_t pattern = next_random();
    for (size_t i = 0; i < words; ++i) source[i] = pattern + i;
    for (size_t i = 0; i < words; ++i) destination[i] = source[i];
    hash = mix(mix(hash, destination[(round * 4099) % words]), destination[words - 1]);
  }
  return hash;
}

struct Workload {
  const char* name;
  uint64_t (*run)(void);
};
static const struct Workload workloads[] = {
    {"crc32", crc32_workload},   {"sort", sort_workload},     {"statemachine", statemachine_workload},
    {"matmul", matmul_workload}, {"search", search_workload}, {"nbody", nbody_workload},
    {"linsolve", linsolve_workload}, {"memcopy", memcopy_workload},
};

#ifndef WORKLOAD
#error "build with -DWORKLOAD=<index into workloads[]> (build-bench.sh does)"
#endif

int main(void) {
  const struct Workload* workload = &workloads[WORKLOAD];
  const uint64_t checksum = workload->run();
  put_string("bench ");
  put_string(workload->name);
  put_string(" checksum ");
  put_hex64(checksum);
  put_char('\n');
  return 0;
}
