#pragma once
/// The one place tokens get human-facing names. Every number a person reads or types is
/// 1-based: layer 1..L, head 1..H, patch row 1..gridH and column 1..gridW, patch number
/// 1..gridH*gridW in row-major order, register 1..R. Token indices into arrays (attention.npy,
/// --input-npy) stay 0-based, as every array library counts.

#include <string>
#include <string_view>

#include "core/model/inference_result.h"
#include "core/result.h"

namespace vitscope::core {

/// Compact id, also accepted by parseTokenSpec and used in CSV headers:
/// "cls", "dist", "reg1", "r3c5" (patch at row 3, column 5).
std::string tokenId(const TokenLayout& layout, int token);
/// For captions, hover text and lists: "the class token", "the distillation token",
/// "register 1", "patch (row 3, column 5)".
std::string tokenLabel(const TokenLayout& layout, int token);
/// A token from what a person typed: cls, dist, regN, rRcC, ROW,COL or a patch number (all
/// 1-based). Usage error naming the accepted forms and ranges otherwise.
Result<int> parseTokenSpec(const TokenLayout& layout, std::string_view spec);
/// The default query token: the class token, or the centre patch without one.
int defaultQueryToken(const TokenLayout& layout);

}  // namespace vitscope::core
