// emu's Linux guest init: a static PID 1 that reports what the tests check
// (a start marker, online CPUs, virtio devices, a checksum of /dev/vda, the
// RTC time) and then serves a tiny command loop on the console (echo, cat,
// work, diskwrite, disksum, poweroff).
//
// Output lines start with "emu-init:" so tests can match them exactly.
#include <dirent.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <linux/rtc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void mount_pseudo_filesystems(void) {
  mkdir("/proc", 0555);
  mkdir("/sys", 0555);
  mkdir("/dev", 0755);
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
}

static void report_cpus(void) {
  printf("emu-init: cpus online %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
}

// Each entry of /sys/bus/virtio/devices names a device; its "device" file
// holds the virtio device id (2 = block, 4 = entropy, ...).
static void report_virtio_devices(void) {
  DIR* directory = opendir("/sys/bus/virtio/devices");
  if (!directory) {
    printf("emu-init: virtio none\n");
    return;
  }
  struct dirent* entry;
  while ((entry = readdir(directory)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    char path[300], id[32] = "?";
    snprintf(path, sizeof path, "/sys/bus/virtio/devices/%s/device", entry->d_name);
    FILE* file = fopen(path, "r");
    if (file) {
      if (fgets(id, sizeof id, file)) id[strcspn(id, "\n")] = 0;
      fclose(file);
    }
    printf("emu-init: virtio %s device %s\n", entry->d_name, id);
  }
  closedir(directory);
}

// FNV-1a over the whole disk: simple, and easy to recompute on the host.
static void report_disk_checksum(const char* device) {
  int fd = open(device, O_RDONLY);
  if (fd < 0) {
    printf("emu-init: disk %s absent\n", device);
    return;
  }
  uint64_t hash = 0xcbf29ce484222325ull, total = 0;
  static unsigned char buffer[65536];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) {
    for (ssize_t i = 0; i < n; i++) hash = (hash ^ buffer[i]) * 0x100000001b3ull;
    total += (uint64_t)n;
  }
  close(fd);
  printf("emu-init: disk %s bytes %llu fnv1a %016llx\n", device, (unsigned long long)total, (unsigned long long)hash);
}

// `diskwrite OFFSET TEXT`: writes TEXT at byte OFFSET of /dev/vda and syncs,
// so a test can check where guest disk writes land (the image, or the
// record/replay overlay).
static void write_disk(const char* device, const char* arguments) {
  char* text = NULL;
  unsigned long long offset = strtoull(arguments, &text, 10);
  if (text == arguments || *text != ' ') {
    printf("emu-init: diskwrite needs OFFSET TEXT\n");
    return;
  }
  text++;
  int fd = open(device, O_WRONLY);
  size_t length = strlen(text);
  if (fd < 0 || pwrite(fd, text, length, (off_t)offset) != (ssize_t)length || fsync(fd) != 0) {
    printf("emu-init: diskwrite %s failed\n", device);
    if (fd >= 0) close(fd);
    return;
  }
  close(fd);
  printf("emu-init: diskwrite %zu bytes at %llu\n", length, offset);
}

static void report_rtc(void) {
  int fd = open("/dev/rtc0", O_RDONLY);
  struct rtc_time now;
  if (fd < 0 || ioctl(fd, RTC_RD_TIME, &now) < 0) {
    printf("emu-init: rtc absent\n");
    if (fd >= 0) close(fd);
    return;
  }
  close(fd);
  printf("emu-init: rtc %04d-%02d-%02d %02d:%02d:%02d\n", now.tm_year + 1900, now.tm_mon + 1, now.tm_mday,
         now.tm_hour, now.tm_min, now.tm_sec);
}

// A deterministic CPU workload: `work N` runs N rounds of an LCG mixed into a
// running hash and prints the result, so the same N gives the same answer on
// every emulator.
static void run_workload(unsigned long rounds) {
  uint64_t state = 1, mix = 0;
  for (unsigned long i = 0; i < rounds; i++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    mix ^= state >> 17;
    mix = (mix << 7) | (mix >> 57);
  }
  printf("emu-init: work %lu result %016llx\n", rounds, (unsigned long long)mix);
}

static void cat_file(const char* path) {
  FILE* file = fopen(path, "r");
  if (!file) {
    printf("emu-init: cat %s: cannot open\n", path);
    return;
  }
  char line[512];
  while (fgets(line, sizeof line, file)) fputs(line, stdout);
  fclose(file);
}

static void power_off(void) {
  printf("emu-init: powering off\n");
  fflush(stdout);
  sync();
  reboot(LINUX_REBOOT_CMD_POWER_OFF);
}

static void command_loop(void) {
  char line[512];
  for (;;) {
    printf("emu-init# ");
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) return;
    line[strcspn(line, "\r\n")] = 0;
    if (strncmp(line, "echo ", 5) == 0) {
      printf("%s\n", line + 5);
    } else if (strncmp(line, "cat ", 4) == 0) {
      cat_file(line + 4);
    } else if (strncmp(line, "work ", 5) == 0) {
      run_workload(strtoul(line + 5, NULL, 10));
    } else if (strncmp(line, "diskwrite ", 10) == 0) {
      write_disk("/dev/vda", line + 10);
    } else if (strcmp(line, "disksum") == 0) {
      report_disk_checksum("/dev/vda");
    } else if (strcmp(line, "poweroff") == 0) {
      return;
    } else if (line[0] != 0) {
      printf("emu-init: unknown command '%s' (echo, cat, work, diskwrite, disksum, poweroff)\n", line);
    }
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  mount_pseudo_filesystems();
  printf("emu-init: started\n");
  report_cpus();
  report_virtio_devices();
  report_disk_checksum("/dev/vda");
  report_rtc();
  printf("emu-init: ready\n");
  command_loop();
  power_off();
  return 0;
}
