#pragma once
// How the SIMD kernels walk a range of weight rows: groups of weight rows, tiles of rows of x. A
// Tile has `template <int NB> static void run(w, a, r, b0, out)`, which computes out[b0 + i, r] for
// its NB rows of x. Each including translation unit compiles this with its own ISA's flags, so
// everything here has internal linkage.

#include "core/quant/rows_kernel.h"

#include <algorithm>

namespace thinkbench::core::quant {

namespace {

// Rows of x per pass over a weight row: the tile's sums and the block's unpacked quants fill the 16
// vector registers of AVX2 (8 rows ran no faster: their sums spilled).
constexpr int64_t kRowsOfX = 4;

// Weight rows go in groups of kRowGroup, every tile of x passing over a group before the next: the
// group's rows stay in cache for the whole batch, a tile of x is read once per group rather than once
// per row, and the results land as runs of kRowGroup floats rather than one per cache line.
constexpr int64_t kRowGroup = 16;

// Tile's kernel on `count` (1 to NB) rows of x from b0.
template <class Tile, int NB>
void tileOf(int64_t count, const WeightRows& w, const Activations& a, int64_t r, int64_t b0, float* out)
{
    if constexpr (NB > 1)
        if (count < NB)
            return tileOf<Tile, NB - 1>(count, w, a, r, b0, out);
    Tile::template run<NB>(w, a, r, b0, out);
}

template <class Tile> void rowsOf(const WeightRows& w, const Activations& a, int64_t begin, int64_t end, float* out)
{
    for (int64_t group = begin; group < end; group += kRowGroup)
        for (int64_t b0 = 0; b0 < a.n; b0 += kRowsOfX)
            for (int64_t r = group; r < std::min(end, group + kRowGroup); ++r)
                tileOf<Tile, kRowsOfX>(std::min(a.n - b0, kRowsOfX), w, a, r, b0, out);
}

} // namespace

} // namespace thinkbench::core::quant
