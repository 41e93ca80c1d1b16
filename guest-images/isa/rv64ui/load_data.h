/* 16 bytes of load-test data (little-endian), aligned to 16:
 *   offset  0: 81 7f 00 ff 12 34 56 78
 *   offset  8: 9a bc de f0 01 80 ff 7f
 * `load_data_end` is the address just past it (for negative offsets). */
  .pushsection .data
  .balign 16
load_data:
  .byte 0x81, 0x7f, 0x00, 0xff, 0x12, 0x34, 0x56, 0x78
  .byte 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x80, 0xff, 0x7f
load_data_end:
  .popsection
