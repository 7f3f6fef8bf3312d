#pragma once
/// Count-dependent text in English: "1 class", "10 classes", never "10 class(es)".

#include <QString>

namespace vitscope::ui {

/// "`n` `one`" for n == 1, else "`n` `many`" ("1 head", "12 heads").
inline QString countText(long long n, const QString& one, const QString& many) {
    return QString::number(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

}  // namespace vitscope::ui
