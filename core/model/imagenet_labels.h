#pragma once
/// The 1,000 ImageNet-1k class names (index = class), compiled into the library from
/// resources/labels/imagenet-1k-labels.txt so that no runtime path is needed.

#include <string>
#include <vector>

namespace vitscope::core {

const std::vector<std::string>& imagenetLabels();

}  // namespace vitscope::core
