package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Conversions between image tensors and OpenCV {@link Mat}s, and PNG files.
 *
 * <p>Tensors are float32 {@code [C, H, W]} (one image) or {@code [N, C, H, W]} (a batch) in {@code
 * [-1, 1]} with {@code C = 1} (gray) or {@code C = 3} (RGB). Mats are 8-bit, one channel (gray) or
 * three channels in OpenCV's BGR order. Tensor → 8 bit maps {@code v} to {@code round((v + 1) ·
 * 127.5)} clamped to {@code [0, 255]}; 8 bit → tensor maps {@code q} to {@code q / 127.5 - 1}, so a
 * round trip is exact up to the 8-bit quantisation (at most {@code 1/255}). Values outside {@code
 * [-1, 1]} are clamped; NaN or infinite values are rejected.
 *
 * <p>Returned tensors and Mats belong to the caller's current {@link TensorScope} (a Mat is a
 * JavaCPP pointer like a tensor). Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Images {
  private Images() {}

  /** Which channels an image file is read into. */
  public enum ColorMode {
    /** As stored: gray files give {@code C = 1}, color files {@code C = 3} (alpha is dropped). */
    AS_STORED(opencv_imgcodecs.IMREAD_ANYCOLOR | opencv_imgcodecs.IMREAD_ANYDEPTH),
    /** Always one gray channel (color files are converted). */
    GRAY(opencv_imgcodecs.IMREAD_GRAYSCALE | opencv_imgcodecs.IMREAD_ANYDEPTH),
    /** Always three RGB channels (gray files are replicated, alpha is dropped). */
    RGB(opencv_imgcodecs.IMREAD_COLOR | opencv_imgcodecs.IMREAD_ANYDEPTH);

    private final int flags;

    ColorMode(int flags) {
      this.flags = flags;
    }

    /**
     * The mode that reads files into {@code channels} channels.
     *
     * @param channels 1 or 3
     * @return {@link #GRAY} or {@link #RGB}
     * @throws IllegalArgumentException for other counts
     */
    public static ColorMode ofChannels(long channels) {
      checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3 but was %s", channels);
      return channels == 1 ? GRAY : RGB;
    }
  }

  /**
   * Converts one image tensor to an 8-bit Mat (gray, or BGR for RGB input).
   *
   * @param image {@code [C, H, W]} with {@code C} 1 or 3, any float dtype, any device, in {@code
   *     [-1, 1]}
   * @return a new {@code CV_8UC1} or {@code CV_8UC3} Mat, owned by the caller's current scope
   * @throws IllegalArgumentException if the shape is wrong or a value is not finite
   */
  public static Mat toMat(Tensor image) {
    checkNotNull(image, "image");
    Tensors.checkShape(image, "image", -1, -1, -1);
    long c = image.size(0);
    checkArgument(
        c == 1 || c == 3,
        "image must have 1 or 3 channels [C, H, W] but had shape %s",
        Arrays.toString(Tensors.shape(image)));
    int h = Math.toIntExact(image.size(1));
    int w = Math.toIntExact(image.size(2));
    Mat mat = new Mat(h, w, c == 1 ? CV_8UC1 : CV_8UC3);
    try (TensorScope scope = TensorScope.open()) {
      Tensor hwc = quantize(image).permute(1, 2, 0);
      if (c == 3) {
        hwc = hwc.flip(2); // RGB -> BGR
      }
      hwc = hwc.contiguous();
      if (h > 0 && w > 0) {
        Pointer.memcpy(mat.data(), hwc.data_ptr(), (long) h * w * c);
      }
    }
    return mat;
  }

  /**
   * Converts a batch to Mats, one per image.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}
   * @return N new Mats, owned by the caller's current scope
   */
  public static List<Mat> toMats(Tensor images) {
    checkNotNull(images, "images");
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    List<Mat> out = new ArrayList<>();
    for (long i = 0; i < images.size(0); i++) {
      try (TensorScope scope = TensorScope.open()) {
        out.add(scope.keep(toMat(images.select(0, i))));
      }
    }
    return out;
  }

  /**
   * Converts an 8- or 16-bit Mat (gray or BGR) to an image tensor.
   *
   * @param mat a {@code CV_8U} or {@code CV_16U} Mat with 1 or 3 channels (BGR)
   * @return {@code [C, H, W]} float32 on the CPU in {@code [-1, 1]} (RGB for color), owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the Mat is empty or of another type
   */
  public static Tensor fromMat(Mat mat) {
    checkNotNull(mat, "mat");
    checkArgument(!mat.empty(), "mat must not be empty but was");
    int c = mat.channels();
    int depth = mat.depth();
    checkArgument(c == 1 || c == 3, "mat must have 1 or 3 channels but had %s", c);
    checkArgument(
        depth == CV_8U || depth == CV_16U,
        "mat must be 8-bit (CV_8U) or 16-bit (CV_16U) but had depth %s",
        depth);
    try (TensorScope scope = TensorScope.open()) {
      Mat continuous = mat.isContinuous() ? mat : mat.clone();
      long[] hwc = {continuous.rows(), continuous.cols(), c};
      Tensor raw =
          torch
              .from_blob(
                  continuous.data(),
                  hwc,
                  new TensorOptions(depth == CV_8U ? ScalarType.Byte : ScalarType.UInt16))
              .to(ScalarType.Float); // a copy: the result does not depend on the Mat
      if (c == 3) {
        raw = raw.flip(2); // BGR -> RGB
      }
      double max = depth == CV_8U ? 255.0 : 65535.0;
      Tensor chw =
          raw.permute(2, 0, 1).mul(new Scalar(2.0 / max)).sub(new Scalar(1.0)).contiguous();
      return scope.keep(chw);
    }
  }

  /**
   * Encodes one image as PNG bytes (8 bit, gray or RGB).
   *
   * @param image {@code [C, H, W]} in {@code [-1, 1]}, C 1 or 3
   * @return the PNG file content
   */
  public static byte[] encodePng(Tensor image) {
    try (TensorScope scope = TensorScope.open()) {
      Mat mat = toMat(image);
      BytePointer buf = new BytePointer();
      boolean ok = opencv_imgcodecs.imencode(".png", mat, buf);
      checkArgument(ok && buf.limit() > 0, "image could not be encoded as PNG");
      byte[] out = new byte[Math.toIntExact(buf.limit())];
      buf.get(out);
      buf.close();
      return out;
    }
  }

  /**
   * Writes one image as an 8-bit PNG file, atomically (a temporary file, then a move).
   *
   * @param file the destination (parent folders are created)
   * @param image {@code [C, H, W]} in {@code [-1, 1]}, C 1 or 3
   * @throws IOException if writing fails; the destination is then untouched
   */
  public static void writePng(Path file, Tensor image) throws IOException {
    checkNotNull(file, "file");
    byte[] png = encodePng(image);
    AtomicFiles.write(file, out -> out.write(png));
  }

  /**
   * Encodes a mask as an 8-bit gray PNG whose pixel values are the mask's values.
   *
   * @param mask the mask
   * @return the PNG file content
   */
  public static byte[] encodeMaskPng(dev.distill.api.annotation.Mask mask) {
    checkNotNull(mask, "mask");
    try (TensorScope scope = TensorScope.open()) {
      Mat mat = new Mat(mask.height(), mask.width(), CV_8UC1);
      mat.data().put(mask.toBytes());
      BytePointer buf = new BytePointer();
      boolean ok = opencv_imgcodecs.imencode(".png", mat, buf);
      checkArgument(ok && buf.limit() > 0, "mask could not be encoded as PNG");
      byte[] out = new byte[Math.toIntExact(buf.limit())];
      buf.get(out);
      buf.close();
      return out;
    }
  }

  /**
   * Writes a mask as an 8-bit gray PNG file ({@link #encodeMaskPng}), atomically.
   *
   * @param file the destination (parent folders are created)
   * @param mask the mask
   * @throws IOException if writing fails; the destination is then untouched
   */
  public static void writeMaskPng(Path file, dev.distill.api.annotation.Mask mask)
      throws IOException {
    checkNotNull(file, "file");
    byte[] png = encodeMaskPng(mask);
    AtomicFiles.write(file, out -> out.write(png));
  }

  /**
   * Reads an 8-bit, one-channel mask file (PNG written by {@link #writeMaskPng}) without any
   * conversion: each pixel's stored value is the mask value.
   *
   * @param file the file
   * @return the mask
   * @throws IOException if the file is missing, truncated, cannot be decoded, or is not 8-bit gray
   *     (the message names the file)
   */
  public static dev.distill.api.annotation.Mask readMask(Path file) throws IOException {
    checkNotNull(file, "file");
    try (TensorScope scope = TensorScope.open()) {
      Mat decoded = decode(file, "mask", opencv_imgcodecs.IMREAD_UNCHANGED);
      if (decoded.channels() != 1 || decoded.depth() != CV_8U) {
        throw new IOException(
            "mask file "
                + file
                + " must be 8-bit with one channel but had "
                + decoded.channels()
                + " channels of depth "
                + decoded.depth());
      }
      Mat continuous = decoded.isContinuous() ? decoded : decoded.clone();
      byte[] values = new byte[continuous.rows() * continuous.cols()];
      continuous.data().get(values);
      return dev.distill.api.annotation.Mask.ofBytes(continuous.cols(), continuous.rows(), values);
    }
  }

  /**
   * Reads a file whole, checks that it is complete and decodes it with OpenCV.
   *
   * @param kind "image" or "mask", for the messages
   * @return the decoded Mat, owned by the caller's current scope
   * @throws IOException if the file is missing, truncated or cannot be decoded (names the file)
   */
  private static Mat decode(Path file, String kind, int flags) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, kind + " file not found");
    }
    byte[] bytes = Files.readAllBytes(file);
    checkComplete(file, bytes);
    Mat encoded = new Mat(1, bytes.length, CV_8UC1);
    if (bytes.length > 0) {
      encoded.data().put(bytes);
    }
    Mat decoded = opencv_imgcodecs.imdecode(encoded, flags);
    if (decoded == null || decoded.empty()) {
      throw new IOException(kind + " file " + file + " could not be decoded");
    }
    return decoded;
  }

  /**
   * Reads an image file (any format OpenCV decodes: PNG, JPEG, BMP, PGM/PPM, TIFF, WebP).
   *
   * @param file the file
   * @param mode which channels to produce
   * @return {@code [C, H, W]} float32 on the CPU in {@code [-1, 1]}, owned by the caller's current
   *     scope
   * @throws IOException if the file is missing or cannot be decoded (message names the file)
   */
  public static Tensor read(Path file, ColorMode mode) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(mode, "mode");
    try (TensorScope scope = TensorScope.open()) {
      Mat decoded = decode(file, "image", mode.flags);
      if (decoded.channels() == 4 || decoded.channels() == 2) {
        throw new IOException(
            "image file " + file + " decoded to " + decoded.channels() + " channels");
      }
      return scope.keep(fromMat(decoded));
    }
  }

  /**
   * Rejects PNG and JPEG files cut short: decoders return a partly grey image for them instead of
   * failing (libjpeg only warns), which would silently enter a dataset. A PNG must end with its
   * {@code IEND} chunk, a JPEG with its end-of-image marker {@code FF D9} (trailing padding of up
   * to 64 bytes is allowed).
   */
  static void checkComplete(Path file, byte[] b) throws IOException {
    int n = b.length;
    boolean png = n >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    boolean jpeg = n >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8;
    if (png && !tailContains(b, new byte[] {'I', 'E', 'N', 'D'})) {
      throw new IOException(
          "image file " + file + " is truncated (PNG of " + n + " bytes without its IEND chunk)");
    }
    if (jpeg && !tailContains(b, new byte[] {(byte) 0xFF, (byte) 0xD9})) {
      throw new IOException(
          "image file " + file + " is truncated (JPEG of " + n + " bytes without its end marker)");
    }
    if (jpeg) {
      checkJpegData(file, b);
    }
  }

  /**
   * Rejects a JPEG whose entropy-coded data does not fit its headers: libjpeg only warns about it
   * ("Corrupt JPEG data", "Premature end of JPEG file") and OpenCV ignores the warning, so a
   * flipped frame header would silently give an image of another size, partly grey. The JDK's
   * decoder reports those warnings; a file it cannot decode at all for want of support (CMYK,
   * arithmetic coding, 12 bit) is left to OpenCV. This decodes each JPEG twice (about 2x the
   * decoding time).
   */
  private static void checkJpegData(Path file, byte[] b) throws IOException {
    List<String> warnings = new ArrayList<>();
    try (javax.imageio.stream.ImageInputStream in =
        javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(b))) {
      java.util.Iterator<javax.imageio.ImageReader> readers =
          javax.imageio.ImageIO.getImageReadersByFormatName("jpeg");
      if (!readers.hasNext() || in == null) {
        return;
      }
      javax.imageio.ImageReader reader = readers.next();
      try {
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        reader.setInput(in, true, true);
        reader.readRaster(0, null);
      } catch (javax.imageio.IIOException e) {
        String msg = String.valueOf(e.getMessage());
        if (!msg.contains("Unsupported")) {
          throw new IOException("image file " + file + " is not valid JPEG: " + msg, e);
        }
      } catch (RuntimeException e) {
        return; // the JDK decoder's own limits: OpenCV decides
      } finally {
        reader.dispose();
      }
    }
    if (!warnings.isEmpty()) {
      throw new IOException(
          "image file " + file + " is corrupt JPEG: " + String.join("; ", warnings));
    }
  }

  private static boolean tailContains(byte[] b, byte[] needle) {
    int from = Math.max(0, b.length - 64 - needle.length);
    outer:
    for (int i = b.length - needle.length; i >= from; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Stacks equally shaped images into a batch.
   *
   * @param images {@code [C, H, W]} tensors of one shape, at least one
   * @return {@code [N, C, H, W]}, owned by the caller's current scope
   * @throws IllegalArgumentException if the list is empty or the shapes differ
   */
  public static Tensor stack(List<Tensor> images) {
    checkNotNull(images, "images");
    checkArgument(!images.isEmpty(), "images must not be empty but was []");
    long[] first = Tensors.shape(images.get(0));
    for (int i = 1; i < images.size(); i++) {
      long[] s = Tensors.shape(images.get(i));
      checkArgument(
          Arrays.equals(first, s),
          "images must all have shape %s but image %s had %s",
          Arrays.toString(first),
          i,
          Arrays.toString(s));
    }
    try (TensorScope scope = TensorScope.open()) {
      TensorVector v = new TensorVector(images.toArray(new Tensor[0]));
      return scope.keep(torch.stack(v));
    }
  }

  /** Clamps, scales to [0, 255], rounds and converts to uint8 on the CPU. */
  private static Tensor quantize(Tensor image) {
    checkArgument(!Tensors.hasNonFinite(image), "image must be finite but had NaN or Inf values");
    return image
        .detach()
        .to(ScalarType.Float)
        .cpu()
        .add(new Scalar(1.0))
        .mul(new Scalar(127.5))
        .round()
        .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(255.0)))
        .to(ScalarType.Byte);
  }
}
