// The RLE / bit-packing hybrid encoding Parquet uses for definition levels and dictionary indices.
//
//   encoded   := run*
//   run       := rle-run | bit-packed-run
//   rle-run   := varint(count << 1) value-in-ceil(width/8)-little-endian-bytes
//   bit-packed-run := varint(groups << 1 | 1) then groups*8 values, `width` bits each, packed
//                     least-significant bit first
//
// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups of 8.
// The last group is padded with zeros; readers stop at the page's value count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lakeforge::parquet {

// Number of bits needed to represent max_value (0 for 0).
int BitWidth(uint32_t max_value);

// Appends the hybrid encoding of values (each < 2^width) to out. No length prefix.
void EncodeRleHybrid(const uint32_t* values, size_t n, int width, std::string* out);

// The same sequence given as runs: runs[i].count copies of runs[i].value, in order (neighbours may
// be equal, counts may be 0). The bytes are those of the expanded values.
struct RleRun {
  uint32_t value;
  size_t count;
};
void EncodeRleHybrid(const RleRun* runs, size_t n, int width, std::string* out);

// Same for 0/1 levels stored as bytes (definition levels with max level 1).
void EncodeLevels(const uint8_t* levels, size_t n, std::string* out);

// Packs booleans one bit each, LSB first (the PLAIN encoding of BOOLEAN).
void PackBits(const uint8_t* bits, size_t n, std::string* out);

// Appends v as an unsigned LEB128 varint (the run headers here; DELTA_BINARY_PACKED's header).
void PutVarint(uint64_t v, std::string* out);

}  // namespace lakeforge::parquet
