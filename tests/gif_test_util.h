#pragma once
// Decoding a GIF with giflib for the animation tests: every frame as RGB, its delay, and
// whether the file loops forever (NETSCAPE2.0 with loop count 0) and is a GIF89a.
#include <gif_lib.h>

#include <QFile>
#include <QImage>
#include <QString>
#include <vector>

namespace vitscope::test {

struct DecodedGif {
    QString error;  ///< empty when decoded
    QByteArray version;
    int width = 0;
    int height = 0;
    bool loopsForever = false;
    std::vector<QImage> frames;  ///< Format_RGB32, composed at (0, 0)
    std::vector<int> delaysCs;   ///< per frame, from its graphic control extension (-1: none)
    std::vector<int> frameWidths;
    std::vector<int> frameHeights;
};

inline bool isLoopExtension(const ExtensionBlock* blocks, int count) {
    for (int i = 0; i + 1 < count; ++i) {
        if (blocks[i].Function == APPLICATION_EXT_FUNC_CODE && blocks[i].ByteCount == 11 &&
            QByteArray(reinterpret_cast<const char*>(blocks[i].Bytes), 11) == "NETSCAPE2.0" &&
            blocks[i + 1].ByteCount == 3 && blocks[i + 1].Bytes[0] == 1 &&
            blocks[i + 1].Bytes[1] == 0 && blocks[i + 1].Bytes[2] == 0) {
            return true;
        }
    }
    return false;
}

inline DecodedGif decodeGif(const QString& path) {
    DecodedGif out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = QStringLiteral("cannot open ") + path;
        return out;
    }
    out.version = file.read(6);
    file.close();
    int error = 0;
    GifFileType* gif = DGifOpenFileName(QFile::encodeName(path).constData(), &error);
    if (!gif) {
        out.error = QString::fromLatin1(GifErrorString(error));
        return out;
    }
    if (DGifSlurp(gif) == GIF_ERROR) {
        out.error = QString::fromLatin1(GifErrorString(gif->Error));
        DGifCloseFile(gif, &error);
        return out;
    }
    out.width = gif->SWidth;
    out.height = gif->SHeight;
    for (int i = 0; i < gif->ImageCount; ++i) {
        const SavedImage& saved = gif->SavedImages[i];
        out.loopsForever =
            out.loopsForever || isLoopExtension(saved.ExtensionBlocks, saved.ExtensionBlockCount);
        GraphicsControlBlock gcb{};
        out.delaysCs.push_back(DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK ? gcb.DelayTime
                                                                               : -1);
        const GifImageDesc& desc = saved.ImageDesc;
        out.frameWidths.push_back(desc.Width);
        out.frameHeights.push_back(desc.Height);
        const ColorMapObject* map = desc.ColorMap ? desc.ColorMap : gif->SColorMap;
        QImage frame(out.width, out.height, QImage::Format_RGB32);
        frame.fill(Qt::black);
        for (int y = 0; map && y < desc.Height; ++y) {
            for (int x = 0; x < desc.Width; ++x) {
                const int index = saved.RasterBits[y * desc.Width + x];
                const GifColorType c = map->Colors[index < map->ColorCount ? index : 0];
                frame.setPixel(desc.Left + x, desc.Top + y, qRgb(c.Red, c.Green, c.Blue));
            }
        }
        out.frames.push_back(frame);
    }
    DGifCloseFile(gif, &error);
    return out;
}

}  // namespace vitscope::test
