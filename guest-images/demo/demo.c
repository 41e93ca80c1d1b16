// emu's bare-metal demo: the default guest of `make run` until Linux boots.
// It prints a banner over the virt board's ns16550a UART, shows what the
// boot ROM handed over (a1 = device tree, a2 = OpenSBI fw_dynamic_info),
// computes a CRC-32, reads the time CSR and powers off through the SiFive
// test finisher. Every line except the time CSR value is the same on emu and
// on qemu-system-riscv64 -M virt -bios none.
#include <stdint.h>

// ns16550a registers (byte offsets): THR (write), LSR bit 5 = THR empty.
static volatile uint8_t* const uart = (volatile uint8_t*)0x10000000;  // uart0 on virt
enum { kThr = 0, kLcr = 3, kLsr = 5, kLsrThrEmpty = 0x20 };

static void put_char(char c) {
  while ((uart[kLsr] & kLsrThrEmpty) == 0) {
  }
  uart[kThr] = (uint8_t)c;
}

static void put_string(const char* s) {
  while (*s) put_char(*s++);
}

static void put_hex(uint64_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) put_char("0123456789abcdef"[(value >> shift) & 0xf]);
}

static void put_decimal(uint64_t value) {
  char buffer[21];
  int length = 0;
  do {
    buffer[length++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (length > 0) put_char(buffer[--length]);
}

// CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), bit by bit: slow on
// purpose, so the demo does a measurable amount of work.
static uint32_t crc32(const uint8_t* data, uint64_t length) {
  uint32_t crc = 0xffffffffu;
  for (uint64_t i = 0; i < length; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static uint64_t read_time(void) {
  uint64_t value;
  __asm__ volatile("rdtime %0" : "=r"(value));
  return value;
}

static uint64_t read_mhartid(void) {
  uint64_t value;
  __asm__ volatile("csrr %0, mhartid" : "=r"(value));
  return value;
}

static uint32_t big_endian32(const volatile uint8_t* p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// OpenSBI's fw_dynamic_info, as the boot ROM lays it out (6 x 64 bits).
struct FwDynamicInfo {
  uint64_t magic, version, next_addr, next_mode, options, boot_hart;
};

static uint8_t buffer[64 * 1024];  // in .bss: also checks that bss starts zeroed

int main(uint64_t hart_id, uintptr_t device_tree, uintptr_t fw_dynamic_info) {
  uart[kLcr] = 0x03;  // 8 data bits, no parity, 1 stop bit
  put_string("emu demo: hello from hart ");
  put_decimal(read_mhartid());
  put_string("\n");

  put_string("boot rom: a0 = ");
  put_decimal(hart_id);
  put_string(", device tree at 0x");
  put_hex(device_tree, 8);
  put_string(" (magic ");
  put_hex(big_endian32((const volatile uint8_t*)device_tree), 8);
  put_string(")\n");
  const volatile struct FwDynamicInfo* info = (const volatile struct FwDynamicInfo*)fw_dynamic_info;
  put_string("fw_dynamic_info: magic 0x");
  put_hex(info->magic, 8);
  put_string(", version ");
  put_decimal(info->version);
  put_string(", next_addr 0x");
  put_hex(info->next_addr, 8);
  put_string(", next_mode ");
  put_decimal(info->next_mode);
  put_string("\n");

  for (uint64_t i = 0; i < sizeof buffer; ++i) {
    if (buffer[i] != 0) {
      put_string("bss not zeroed\n");
      return 2;
    }
  }
  const char check[] = "123456789";
  uint32_t check_crc = crc32((const uint8_t*)check, 9);
  put_string("crc32(\"123456789\") = 0x");
  put_hex(check_crc, 8);
  put_string("\n");
  if (check_crc != 0xcbf43926u) return 3;  // the standard check value

  uint64_t time_before = read_time();
  uint32_t state = 1;
  for (uint64_t i = 0; i < sizeof buffer; ++i) {
    state = state * 1664525u + 1013904223u;  // a fixed LCG: same bytes everywhere
    buffer[i] = (uint8_t)(state >> 24);
  }
  put_string("crc32(64 KiB of LCG bytes) = 0x");
  put_hex(crc32(buffer, sizeof buffer), 8);
  put_string("\n");
  uint64_t time_after = read_time();
  put_string("time csr = ");
  put_decimal(time_after);
  put_string(time_after > time_before ? " (advancing)\n" : " (NOT advancing)\n");

  put_string("emu demo: powering off\n");
  return 0;
}
