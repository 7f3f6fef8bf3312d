#pragma once
// Small helpers shared by the core tests: reading .npy fixtures and expected.json files.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <string>
#include <vector>

#include "core/io/file_util.h"
#include "core/io/npy.h"

namespace vitscope::test {

struct FloatArray {
    std::vector<int64_t> shape;
    std::vector<float> values;
    bool ok = false;
};

inline FloatArray readNpyFloat(const std::string& path) {
    FloatArray out;
    auto bytes = core::readFile(path, 1u << 30);
    if (!bytes)
        return out;
    auto arr = core::parseNpy(*bytes, path);
    if (!arr)
        return out;
    out.shape = arr->shape;
    out.values = core::toFloat32(*arr);
    out.ok = true;
    return out;
}

inline QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace vitscope::test
