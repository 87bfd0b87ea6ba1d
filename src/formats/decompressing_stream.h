// Reading a compressed input in order without holding it whole: a .gz (multi-member) or .zst file
// of a few MiB can expand to gigabytes (a decompression bomb), so inputs are decompressed as they
// are consumed, in bounded buffers.
#pragma once

#include <memory>
#include <string>

#include "formats/compression.h"
#include "io/file_system.h"

namespace lakeforge {

// Wraps `raw` (compressed with `codec`) in a stream of its decompressed bytes; kUncompressed
// returns `raw` itself. Errors name `what` and the compressed byte offset, as DecompressGzip does.
// *consumed counts the compressed bytes read from `raw`.
std::unique_ptr<InputStream> MakeDecompressingStream(Codec codec, std::unique_ptr<InputStream> raw,
                                                     const std::string& what, uint64_t* consumed);

}  // namespace lakeforge
