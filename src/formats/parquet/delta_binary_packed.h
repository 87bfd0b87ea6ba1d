// Parquet's DELTA_BINARY_PACKED encoding of INT32 and INT64 values (parquet-format Encodings.md,
// "Delta Encoding"):
//
//   header := uleb(block size = 128) uleb(miniblocks per block = 4) uleb(value count)
//             zigzag-uleb(first value)
//   block  := zigzag-uleb(min delta) 4 bit-width bytes, then per miniblock that holds values its
//             32 (delta - min delta) values bit-packed at its width, least-significant bit first
//
// Deltas and their differences are taken in the type's own width and wrap (two's complement), as
// the spec asks, so any values round-trip. The last miniblock is padded with zeros; miniblocks
// past the last value have width 0 and no bytes. Sorted or sequential columns (timestamps, row
// ids) shrink to a few bits per value where PLAIN spends 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lakeforge::parquet {

// Appends the encoding of values[0, n) to out.
void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out);
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out);

}  // namespace lakeforge::parquet
