#pragma once
// Helpers shared by tst_image_io and tst_exif_orientation: fixture paths and image bytes built
// by hand.
#include <QByteArray>
#include <QFile>
#include <QString>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace vitscope::test {

inline const QString kData = QStringLiteral(VITSCOPE_TEST_DATA);

inline std::string dataPath(const QString& relative) {
    return (kData + "/" + relative).toStdString();
}

inline std::vector<std::byte> bytesOf(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

inline void append(std::vector<std::byte>& out, std::string_view text) {
    for (char c : text) {
        out.push_back(static_cast<std::byte>(c));
    }
}

inline void appendBe(std::vector<std::byte>& out, uint32_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    }
}

inline void appendLe(std::vector<std::byte>& out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    }
}

inline QByteArray toQByteArray(const std::vector<std::byte>& bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

inline std::vector<std::byte> readAll(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray data = f.readAll();
    std::vector<std::byte> out(static_cast<size_t>(data.size()));
    std::memcpy(out.data(), data.constData(), out.size());
    return out;
}

}  // namespace vitscope::test
