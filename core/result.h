#pragma once
/// Result<T>: the value or an Error. Nothing in core throws across its public API, calls exit or
/// aborts on user input; everything that can fail on a file, an image or a setting returns this.

#include <string>
#include <utility>
#include <variant>

namespace vitscope::core {

enum class ErrorCode {
    Usage,      ///< a bad argument or option (CLI exit 1)
    Io,         ///< a file could not be opened or read
    BadImage,   ///< an image that cannot be decoded or used (CLI exit 2)
    BadModel,   ///< a checkpoint or config that is malformed or unsupported (CLI exit 3)
    BadData,    ///< another data file (IDX, .npy input) that is malformed
    Cancelled,  ///< the caller's cancel flag was raised
};

struct Error {
    ErrorCode code = ErrorCode::Usage;
    std::string message;  ///< names the file/tensor, what was expected and what was found
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : mData(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : mData(std::move(error)) {}  // NOLINT

    bool ok() const { return mData.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(mData); }
    const T& value() const& { return std::get<0>(mData); }
    T&& value() && { return std::get<0>(std::move(mData)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(mData); }

private:
    std::variant<T, Error> mData;
};

/// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

}  // namespace vitscope::core
