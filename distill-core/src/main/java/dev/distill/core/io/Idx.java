package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed (detected
 * from the magic bytes when reading, not the file name).
 *
 * <p>Layout: two zero bytes, the type code, the number of dimensions, each dimension as a
 * big-endian 32-bit integer, then the data in row-major order. Only unsigned-byte data (type code
 * {@code 0x08}) is supported, which is what MNIST-family files hold. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Idx {
  private Idx() {}

  /** How {@link #write} compresses a file. */
  public enum Compression {
    /** The plain IDX bytes. */
    RAW,
    /** gzip, as the MNIST-family distribution files ({@code *.gz}). */
    GZIP
  }

  /**
   * The content of an IDX file of unsigned bytes.
   *
   * <p>The arrays are not copied (the files are large): do not modify them after construction.
   * Equality compares the contents of the arrays.
   *
   * @param shape the dimensions, e.g. {@code [60000, 28, 28]}, 1 to 4 of them, each {@code >= 0}
   * @param data the bytes in row-major order (interpret as unsigned), as many as the shape holds
   */
  public record ByteArray(int[] shape, byte[] data) {
    /** Validates that the shape holds exactly the data. */
    public ByteArray {
      checkNotNull(shape, "shape");
      checkNotNull(data, "data");
      checkArgument(
          shape.length >= 1 && shape.length <= 4,
          "shape must have 1 to 4 dims but was %s",
          Arrays.toString(shape));
      long n = 1;
      for (int d : shape) {
        checkArgument(d >= 0, "shape sizes must be >= 0 but were %s", Arrays.toString(shape));
        n *= d;
      }
      checkArgument(
          n == data.length,
          "data must hold the %s bytes of shape %s but held %s",
          n,
          Arrays.toString(shape),
          data.length);
    }

    /** The number of items, {@code shape[0]}. */
    public int count() {
      return shape[0];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByteArray other
          && Arrays.equals(shape, other.shape)
          && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "ByteArray[shape=" + Arrays.toString(shape) + ", " + data.length + " bytes]";
    }
  }

  /**
   * Writes an IDX file of unsigned bytes atomically (a temporary file, then a move).
   *
   * <p>gzip output is reproducible: the same content gives the same bytes.
   *
   * @param file the destination (parent folders are created)
   * @param content the shape and bytes
   * @param compression raw or gzip
   * @throws IOException if writing fails; the destination is then untouched
   */
  public static void write(Path file, ByteArray content, Compression compression)
      throws IOException {
    checkNotNull(file, "file");
    checkNotNull(content, "content");
    checkNotNull(compression, "compression");
    AtomicFiles.write(
        file,
        out -> {
          if (compression == Compression.GZIP) {
            GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
            writeTo(gz, content);
            gz.finish();
          } else {
            writeTo(out, content);
          }
        });
  }

  private static void writeTo(OutputStream raw, ByteArray content) throws IOException {
    DataOutputStream d = new DataOutputStream(raw);
    d.writeInt(0x0800 | content.shape().length);
    for (int size : content.shape()) {
      d.writeInt(size);
    }
    d.write(content.data());
    d.flush();
  }

  /**
   * Reads an IDX file.
   *
   * @param file the file (raw or gzip)
   * @return its shape and bytes
   * @throws IOException if it cannot be read, is not IDX, or is truncated (message names the file)
   */
  public static ByteArray read(Path file) throws IOException {
    checkNotNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads an IDX stream (raw or gzip).
   *
   * @param raw the stream (not closed)
   * @param source a description for error messages
   * @return its shape and bytes
   * @throws IOException if it is not IDX or is truncated
   */
  public static ByteArray read(InputStream raw, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    try {
      InputStream in =
          (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(buffered, 1 << 16) : buffered;
      DataInputStream d = new DataInputStream(in);
      int magic = d.readInt();
      if ((magic >>> 16) != 0) {
        throw new IOException(
            "IDX file "
                + source
                + " must start with two zero bytes but magic was 0x"
                + Integer.toHexString(magic));
      }
      int type = (magic >>> 8) & 0xff;
      int dims = magic & 0xff;
      if (type != 0x08) {
        throw new IOException(
            "IDX file "
                + source
                + " must hold unsigned bytes (type 0x08) but type was 0x"
                + Integer.toHexString(type));
      }
      if (dims < 1 || dims > 4) {
        throw new IOException("IDX file " + source + " must have 1 to 4 dims but had " + dims);
      }
      int[] shape = new int[dims];
      long n = 1;
      for (int i = 0; i < dims; i++) {
        shape[i] = d.readInt();
        if (shape[i] < 0) {
          throw new IOException("IDX file " + source + " has a negative size " + shape[i]);
        }
        n *= shape[i];
        if (n > Integer.MAX_VALUE - 8) {
          throw new IOException(
              "IDX file " + source + " is too large: shape " + Arrays.toString(shape));
        }
      }
      byte[] data = new byte[(int) n];
      d.readFully(data);
      if (d.read() != -1) {
        throw new IOException(
            "IDX file "
                + source
                + " has bytes after the "
                + n
                + " data bytes of its shape "
                + Arrays.toString(shape));
      }
      return new ByteArray(shape, data);
    } catch (EOFException e) {
      throw new IOException("IDX file " + source + " is truncated", e);
    } catch (ZipException e) {
      throw new IOException("IDX file " + source + " is not valid gzip: " + e.getMessage(), e);
    }
  }
}
