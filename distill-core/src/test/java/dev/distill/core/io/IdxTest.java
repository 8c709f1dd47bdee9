package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.SeededCases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class IdxTest {
  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return SeededCases.seeds(60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void randomArraysRoundTripRawAndGzip(long seed) throws IOException {
    Random r = new Random(seed);
    int[] shape = new int[1 + r.nextInt(4)];
    int n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(9);
      n *= shape[i];
    }
    byte[] data = new byte[n];
    r.nextBytes(data);
    Idx.ByteArray content = new Idx.ByteArray(shape, data);
    for (Idx.Compression c : Idx.Compression.values()) {
      Path file = tmp.resolve("a-" + c + ".idx");
      Idx.write(file, content, c);
      assertThat(Idx.read(file)).as(c.name()).isEqualTo(content);
    }
  }

  @Test
  void rawFileHasTheIdxLayout() throws IOException {
    Path file = tmp.resolve("layout.idx");
    Idx.write(
        file,
        new Idx.ByteArray(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, (byte) 255}),
        Idx.Compression.RAW);
    assertThat(Files.readAllBytes(file))
        .containsExactly(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255);
  }

  @Test
  void gzipOutputIsReproducibleAndDetectedByMagicNotName() throws IOException {
    Idx.ByteArray content = new Idx.ByteArray(new int[] {4}, new byte[] {9, 8, 7, 6});
    Path a = tmp.resolve("a.raw");
    Path b = tmp.resolve("b.raw");
    Idx.write(a, content, Idx.Compression.GZIP);
    Idx.write(b, content, Idx.Compression.GZIP);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b)).startsWith(0x1f, 0x8b);
    assertThat(Idx.read(a)).isEqualTo(content);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Idx.Compression.class)
  void truncatedFileFailsNamingTheFile(Idx.Compression compression) throws IOException {
    byte[] data = new byte[6 * 28 * 28];
    new Random(3).nextBytes(data);
    Path file = tmp.resolve("full-" + compression);
    Idx.write(file, new Idx.ByteArray(new int[] {6, 28, 28}, data), compression);
    byte[] bytes = Files.readAllBytes(file);
    for (int keep : new int[] {0, 3, 9, bytes.length / 2, bytes.length - 1}) {
      Path cut = tmp.resolve("cut-" + compression + "-" + keep);
      Files.write(cut, Arrays.copyOf(bytes, keep));
      assertThatThrownBy(() -> Idx.read(cut))
          .as("kept %s of %s bytes", keep, bytes.length)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(cut.toString())
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void wrongTypeAndTrailingBytesAreRejected() throws IOException {
    Path floats = tmp.resolve("floats.idx");
    Files.write(floats, new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0});
    assertThatThrownBy(() -> Idx.read(floats)).hasMessageContaining("type 0x08");
    Path extra = tmp.resolve("extra.idx");
    Files.write(extra, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 42, 43});
    assertThatThrownBy(() -> Idx.read(extra)).hasMessageContaining("bytes after");
  }

  @Test
  void contentMustMatchItsShape() {
    assertThatThrownBy(() -> new Idx.ByteArray(new int[] {2, 2}, new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data must hold the 4 bytes of shape [2, 2] but held 3");
  }
}
