#pragma once
/// Refuses PyTorch pickle checkpoints before anything else looks at them: unpickling runs
/// arbitrary code, and vitscope never does it.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vitscope::core {

/// Returns the refusal message when `path` has a pickle extension (.pth .pt .bin .ckpt .pkl
/// .pickle, case-insensitive; .bin covers HF pytorch_model.bin), or `head` (the first bytes of
/// the file, ideally the whole file so the zip central directory can be seen) starts with a
/// pickle protocol 2..5 opcode, or is a zip whose first entry or central directory names a
/// "data.pkl" (PyTorch's zip format). Only headers are inspected; nothing is unpickled.
/// std::nullopt means "not recognised as a pickle".
std::optional<std::string> refusePickle(std::string_view path, std::span<const std::byte> head);

}  // namespace vitscope::core
