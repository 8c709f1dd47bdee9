package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  // ---------------------------------------------------------------- the golden fixture files

  @Test
  void listsEveryTensorOfTheUnetWithTheShapesItsHeaderStates() throws IOException {
    Path file = Fixtures.dir("sdxl-tiny").resolve("unet/diffusion_pytorch_model.safetensors");
    Header header = Header.parse(Files.readAllBytes(file));
    assertThat(header.entries).hasSizeGreaterThan(100);

    try (Safetensors st = Safetensors.open(file)) {
      assertThat(st.names()).containsExactlyInAnyOrderElementsOf(header.entries.keySet());
      for (Map.Entry<String, JsonNode> e : header.entries.entrySet()) {
        TensorInfo info = st.info(e.getKey());
        assertThat(info.dtype().name())
            .as(e.getKey())
            .isEqualTo(e.getValue().get("dtype").asText());
        assertThat(info.shape()).as(e.getKey()).isEqualTo(longs(e.getValue().get("shape")));
        assertThat(List.of(info.begin(), info.end()))
            .as(e.getKey())
            .isEqualTo(longs(e.getValue().get("data_offsets")));
      }
    }
  }

  @Test
  void readsEveryFixtureFileByteForByte() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Fixtures.dir("sdxl-tiny"))) {
      files = walk.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    int tensors = 0;
    for (Path file : files) {
      byte[] raw = Files.readAllBytes(file);
      Header header = Header.parse(raw);
      try (Safetensors st = Safetensors.open(file);
          TensorScope scope = TensorScope.open()) {
        assertThat(st.names()).as(file.toString()).hasSize(header.entries.size());
        for (String name : st.names()) {
          TensorInfo info = st.info(name);
          Tensor t = st.tensor(name);
          assertThat(Tensors.shape(t)).as(name).containsExactly(info.shapeArray());
          assertThat(t.scalar_type().value).as(name).isEqualTo(info.dtype().scalarType().value);
          byte[] expected =
              Arrays.copyOfRange(
                  raw,
                  (int) (header.dataStart + info.begin()),
                  (int) (header.dataStart + info.end()));
          assertThat(rawBytes(t)).as(file + " " + name).isEqualTo(expected);
          tensors++;
        }
      }
    }
    assertThat(tensors).isGreaterThan(500);
  }

  // ---------------------------------------------------------------- zero-copy

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = SafetensorsDtype.class,
      names = {"F32", "F16", "BF16", "I64", "I32", "U8", "BOOL"})
  void alignedTensorsAreViewsIntoTheFileMapping(SafetensorsDtype dtype) throws IOException {
    Path file = tmp.resolve("aligned-" + dtype + ".safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put("a", randomTensor(new Random(1), dtype, new long[] {3, 5}));
      tensors.put("b", randomTensor(new Random(2), SafetensorsDtype.U8, new long[] {7}));
      tensors.put("c", randomTensor(new Random(3), dtype, new long[] {2, 3, 4}));
      Safetensors.write(file, tensors, Map.of());
      try (Safetensors st = Safetensors.open(file)) {
        st.tensor("b"); // maps the file
        long[][] ranges = mappedRanges(file);
        assertThat(ranges).as("mappings of %s in /proc/self/maps", file).isNotEmpty();
        for (String name : List.of("a", "c")) {
          Tensor t = st.tensor(name);
          assertThat(insideAny(t.data_ptr().address(), ranges))
              .as("%s (%s) data_ptr inside the file mapping", name, dtype)
              .isTrue();
          assertThat(rawBytes(t)).isEqualTo(rawBytes(tensors.get(name)));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = SafetensorsDtype.class,
      names = {"F32", "F16", "BF16", "I64", "I32", "F64", "I16"})
  void misalignedTensorsAreCopiedWithTheSameValues(SafetensorsDtype dtype) throws IOException {
    // header length chosen so that the data buffer starts at an odd address
    Path file = tmp.resolve("misaligned-" + dtype + ".safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Tensor original = randomTensor(new Random(7), dtype, new long[] {4, 3});
      byte[] data = rawBytes(original);
      String json =
          String.format(
              "{\"x\":{\"dtype\":\"%s\",\"shape\":[4,3],\"data_offsets\":[0,%d]}}",
              dtype, data.length);
      while ((8 + json.length()) % 2 == 0) {
        json = json + " ";
      }
      Files.write(file, fileBytes(json.getBytes(StandardCharsets.UTF_8), data));
      try (Safetensors st = Safetensors.open(file)) {
        Tensor t = st.tensor("x");
        long[][] ranges = mappedRanges(file);
        assertThat(ranges).as("mappings of %s in /proc/self/maps", file).isNotEmpty();
        assertThat(t.data_ptr().address() % dtype.size()).isZero();
        assertThat(insideAny(t.data_ptr().address(), ranges)).isFalse();
        assertThat(Tensors.shape(t)).containsExactly(4, 3);
        assertThat(rawBytes(t)).isEqualTo(data);
      }
    }
  }

  @Test
  void tensorsStayValidAfterTheFileIsClosedAndTheClosedFileRefusesReads() throws IOException {
    Path file = tmp.resolve("closed.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[] {1, 2, 3}, 3);
      Safetensors.write(file, Map.of("x", x), Map.of());
      Safetensors st = Safetensors.open(file);
      Tensor view = st.tensor("x");
      st.close();
      assertThat(Tensors.toFloats(view)).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> st.tensor("x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void unknownTensorNameIsRejectedNamingTheFile() throws IOException {
    Path file = tmp.resolve("one.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Safetensors.write(file, Map.of("x", Tensors.fromFloats(new float[] {1}, 1)), Map.of());
      try (Safetensors st = Safetensors.open(file)) {
        assertThatThrownBy(() -> st.tensor("y"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'y'")
            .hasMessageContaining(file.toString());
      }
    }
  }

  @Test
  void writerRejectsReservedNamesAndUnsupportedDtypes() {
    Path file = tmp.resolve("rejected.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[] {1}, 1);
      assertThatThrownBy(() -> Safetensors.write(file, Map.of("__metadata__", x), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("__metadata__");
      Tensor complex = x.to(org.bytedeco.pytorch.global.torch.ScalarType.ComplexFloat);
      assertThatThrownBy(() -> Safetensors.write(file, Map.of("c", complex), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tensor dtype must be one of");
    }
    assertThat(file).doesNotExist();
  }

  // ---------------------------------------------------------------- atomic writer

  @Test
  void failedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path file = tmp.resolve("atomic.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Safetensors.write(file, Map.of("x", Tensors.fromFloats(new float[] {1, 2}, 2)), Map.of());
    }
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    file,
                    out -> {
                      out.write(new byte[100]);
                      throw new IOException("disk full (simulated)");
                    }))
        .hasMessageContaining("simulated");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    try (Stream<Path> list = Files.list(tmp)) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactly("atomic.safetensors");
    }
  }

  @Test
  void writerAlignsEveryTensorAndPadsTheHeaderWithSpaces() throws IOException {
    Path file = tmp.resolve("order.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      m.put("u8", randomTensor(new Random(1), SafetensorsDtype.U8, new long[] {3}));
      m.put("f16", randomTensor(new Random(2), SafetensorsDtype.F16, new long[] {3}));
      m.put("i64", randomTensor(new Random(3), SafetensorsDtype.I64, new long[] {2}));
      m.put("f32", randomTensor(new Random(4), SafetensorsDtype.F32, new long[] {1}));
      Safetensors.write(file, m, Map.of("format", "pt"));
    }
    byte[] raw = Files.readAllBytes(file);
    Header h = Header.parse(raw);
    assertThat(h.dataStart % 8).isZero();
    assertThat(h.metadata.get("format").asText()).isEqualTo("pt");
    for (Map.Entry<String, JsonNode> e : h.entries.entrySet()) {
      long begin = e.getValue().get("data_offsets").get(0).asLong();
      int size = SafetensorsDtype.byName(e.getValue().get("dtype").asText()).orElseThrow().size();
      assertThat((h.dataStart + begin) % size).as(e.getKey()).isZero();
    }
  }

  // ---------------------------------------------------------------- corrupted files

  /** A valid file: tensors "alpha" F32 [2,3], "beta" I64 [4], "gamma" U8 [5]. */
  private static byte[] validFile(String alphaEntry, String betaEntry, String gammaEntry) {
    String json =
        "{\"alpha\":" + alphaEntry + ",\"beta\":" + betaEntry + ",\"gamma\":" + gammaEntry + "}";
    return fileBytes(json.getBytes(StandardCharsets.UTF_8), new byte[24 + 32 + 5]);
  }

  private static final String ALPHA =
      "{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[32,56]}";
  private static final String BETA = "{\"dtype\":\"I64\",\"shape\":[4],\"data_offsets\":[0,32]}";
  private static final String GAMMA = "{\"dtype\":\"U8\",\"shape\":[5],\"data_offsets\":[56,61]}";

  @Test
  void theValidBaseOfTheCorruptionTestsReads() throws IOException {
    Path file = write("valid.safetensors", validFile(ALPHA, BETA, GAMMA));
    try (Safetensors st = Safetensors.open(file)) {
      assertThat(st.names()).containsExactly("alpha", "beta", "gamma");
    }
  }

  @Test
  void headerLengthBeyondTheFileIsRejected() throws IOException {
    byte[] bytes = validFile(ALPHA, BETA, GAMMA);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
    Path file = write("long-header.safetensors", bytes);
    assertMalformed(file, null, "header length", "beyond the end of the file");
  }

  @Test
  void fileShorterThanTheLengthFieldIsRejected() throws IOException {
    Path file = write("tiny.safetensors", new byte[] {1, 2, 3});
    assertMalformed(file, null, "shorter than the 8-byte header length");
  }

  @Test
  void badJsonIsRejected() throws IOException {
    Path file =
        write(
            "bad-json.safetensors",
            fileBytes("{\"alpha\": {\"dtype\": ".getBytes(StandardCharsets.UTF_8), new byte[0]));
    assertMalformed(file, null, "not valid UTF-8 JSON");
  }

  @Test
  void trailingGarbageAfterTheJsonIsRejected() throws IOException {
    byte[] json = ("{\"beta\":" + BETA + "} x").getBytes(StandardCharsets.UTF_8);
    Path file = write("trailing.safetensors", fileBytes(json, new byte[32]));
    assertMalformed(file, null, "not valid UTF-8 JSON");
  }

  @Test
  void duplicateTensorNamesAreRejected() throws IOException {
    byte[] json =
        ("{\"beta\":" + BETA + ",\"beta\":" + BETA + "}").getBytes(StandardCharsets.UTF_8);
    Path file = write("duplicate.safetensors", fileBytes(json, new byte[32]));
    assertMalformed(file, null, "beta");
  }

  @Test
  void unknownDtypeIsRejectedNamingTheTensor() throws IOException {
    Path file = write("dtype.safetensors", validFile(ALPHA.replace("F32", "Q4"), BETA, GAMMA));
    assertMalformed(file, "alpha", "unknown dtype 'Q4'");
  }

  @Test
  void shapeTimesDtypeSizeDifferentFromTheByteRangeIsRejected() throws IOException {
    Path file = write("size.safetensors", validFile(ALPHA.replace("[2,3]", "[2,2]"), BETA, GAMMA));
    assertMalformed(file, "alpha", "needs 16 bytes", "hold 24");
  }

  @Test
  void offsetsOutOfBoundsAreRejected() throws IOException {
    Path file =
        write("oob.safetensors", validFile(ALPHA, BETA, GAMMA.replace("[56,61]", "[60,65]")));
    assertMalformed(file, "gamma", "beyond the data buffer");
  }

  @Test
  void overlappingOffsetsAreRejected() throws IOException {
    Path file =
        write(
            "overlap.safetensors",
            validFile(
                ALPHA.replace("[32,56]", "[24,48]"), BETA, GAMMA.replace("[56,61]", "[48,53]")));
    assertMalformed(file, "alpha", "overlaps tensor 'beta'");
  }

  @Test
  void endBeforeBeginIsRejected() throws IOException {
    Path file =
        write("reversed.safetensors", validFile(ALPHA, BETA, GAMMA.replace("[56,61]", "[61,56]")));
    assertMalformed(file, "gamma", "end before they begin");
  }

  @Test
  void negativeShapeIsRejected() throws IOException {
    Path file = write("negative.safetensors", validFile(ALPHA, BETA, GAMMA.replace("[5]", "[-5]")));
    assertMalformed(file, "gamma", "shape entries must be integers >= 0");
  }

  @Test
  void truncatedFileIsRejectedNamingTheTensorThatNoLongerFits() throws IOException {
    byte[] bytes = validFile(ALPHA, BETA, GAMMA);
    Path file = write("truncated.safetensors", Arrays.copyOf(bytes, bytes.length - 3));
    assertMalformed(file, "gamma", "beyond the data buffer");
  }

  @Test
  void unusedBytesAfterTheLastTensorAreRejected() throws IOException {
    byte[] bytes = validFile(ALPHA, BETA, GAMMA);
    Path file = write("extra.safetensors", Arrays.copyOf(bytes, bytes.length + 4));
    assertMalformed(file, null, "tensors cover 61 bytes but the data buffer has 65 bytes");
  }

  @Test
  void gapBetweenTensorsIsRejected() throws IOException {
    String json = "{\"beta\":" + BETA.replace("[0,32]", "[8,40]") + "}";
    Path file =
        write("gap.safetensors", fileBytes(json.getBytes(StandardCharsets.UTF_8), new byte[40]));
    assertMalformed(file, "beta", "gap");
  }

  private static void assertMalformed(Path file, String tensor, String... problem) {
    var thrown =
        assertThatThrownBy(
                () -> {
                  try (Safetensors st = Safetensors.open(file)) {
                    st.names().forEach(st::tensor);
                  }
                })
            .isInstanceOf(SafetensorsException.class)
            .isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString());
    if (tensor != null) {
      thrown.hasMessageContaining("tensor '" + tensor + "'");
    }
    for (String p : problem) {
      thrown.hasMessageContaining(p);
    }
  }

  // ---------------------------------------------------------------- property tests

  static Stream<Long> seeds() {
    return SeededCases.seeds(120);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void randomTensorsRoundTripExactly(long seed) throws IOException {
    Random r = new Random(seed);
    Path file = tmp.resolve("rt.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> written = randomTensors(r);
      Map<String, String> metadata = new TreeMap<>();
      for (int i = r.nextInt(3); i > 0; i--) {
        metadata.put("key" + r.nextInt(100), "välue " + r.nextLong());
      }
      // sometimes hand the writer a non-contiguous view
      Map<String, Tensor> given = new LinkedHashMap<>(written);
      for (Map.Entry<String, Tensor> e : given.entrySet()) {
        Tensor t = e.getValue();
        if (t.dim() >= 2 && r.nextBoolean()) {
          Tensor nonContiguous = t.transpose(0, 1).contiguous().transpose(0, 1);
          e.setValue(nonContiguous);
        }
      }
      Safetensors.write(file, given, metadata);
      try (Safetensors st = Safetensors.open(file)) {
        assertThat(st.names()).containsExactlyInAnyOrderElementsOf(written.keySet());
        assertThat(st.metadata()).isEqualTo(metadata);
        for (Map.Entry<String, Tensor> e : written.entrySet()) {
          Tensor expected = e.getValue();
          Tensor actual = st.tensor(e.getKey());
          assertThat(actual.scalar_type().value)
              .as(e.getKey())
              .isEqualTo(expected.scalar_type().value);
          assertThat(Tensors.shape(actual)).as(e.getKey()).containsExactly(Tensors.shape(expected));
          assertThat(rawBytes(actual)).as(e.getKey()).isEqualTo(rawBytes(expected));
        }
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void flippedOrTruncatedFilesFailCleanlyOrReadCorrectly(long seed) throws IOException {
    Random r = new Random(seed);
    Path original = tmp.resolve("orig.safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Safetensors.write(original, randomTensors(r), Map.of("seed", Long.toString(seed)));
    }
    byte[] good = Files.readAllBytes(original);
    Header goodHeader = Header.parse(good);
    byte[] bad = good.clone();
    boolean onlyDataFlipped = true;
    String mutation;
    if (r.nextInt(4) == 0) {
      int length = r.nextInt(good.length);
      bad = Arrays.copyOf(good, length);
      onlyDataFlipped = false;
      mutation = "truncated to " + length + " of " + good.length;
    } else {
      List<Integer> positions = new ArrayList<>();
      for (int i = 1 + r.nextInt(3); i > 0; i--) {
        // half of the flips land in the length field and header, half anywhere
        int pos = r.nextBoolean() ? r.nextInt((int) goodHeader.dataStart) : r.nextInt(good.length);
        bad[pos] ^= (byte) (1 + r.nextInt(255));
        positions.add(pos);
        onlyDataFlipped &= pos >= goodHeader.dataStart;
      }
      mutation = "bytes flipped at " + positions + " (data starts at " + goodHeader.dataStart + ")";
    }
    Path file = tmp.resolve("mutated.safetensors");
    Files.write(file, bad);

    try (TensorScope scope = TensorScope.open();
        Safetensors st = Safetensors.open(file)) {
      // a successful open must describe exactly the bytes of the (mutated) file
      Header h = Header.parse(bad);
      for (String name : st.names()) {
        TensorInfo info = st.info(name);
        Tensor t = st.tensor(name);
        assertThat(Tensors.shape(t)).as(mutation).containsExactly(info.shapeArray());
        assertThat(rawBytes(t))
            .as(mutation)
            .isEqualTo(
                Arrays.copyOfRange(
                    bad, (int) (h.dataStart + info.begin()), (int) (h.dataStart + info.end())));
      }
      if (onlyDataFlipped) {
        assertThat(st.names()).as(mutation).hasSize(goodHeader.entries.size());
      }
    } catch (SafetensorsException e) {
      assertThat(onlyDataFlipped).as("a flip in the data area must still read: " + e).isFalse();
      assertThat(e.getMessage()).contains(file.toString());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, Tensor> randomTensors(Random r) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    SafetensorsDtype[] dtypes = SafetensorsDtype.values();
    for (int i = 1 + r.nextInt(4); i > 0; i--) {
      int rank = r.nextInt(5);
      long[] shape = new long[rank];
      for (int d = 0; d < rank; d++) {
        shape[d] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(5);
      }
      m.put(
          "t" + m.size() + "." + r.nextInt(1000),
          randomTensor(r, dtypes[r.nextInt(dtypes.length)], shape));
    }
    return m;
  }

  /** A tensor of random bytes (0/1 for BOOL) of a dtype and shape, owned by the current scope. */
  static Tensor randomTensor(Random r, SafetensorsDtype dtype, long[] shape) {
    long numel = Tensors.numel(shape);
    byte[] bytes = new byte[(int) (numel * dtype.size())];
    r.nextBytes(bytes);
    if (dtype == SafetensorsDtype.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] &= 1;
      }
    }
    Tensor flat = Tensors.fromBytes(bytes, bytes.length);
    Tensor typed = dtype == SafetensorsDtype.U8 ? flat : flat.view(dtype.scalarType());
    return typed.view(shape);
  }

  /** The bytes of a tensor's contiguous CPU copy (works for every dtype and 0-dim tensors). */
  static byte[] rawBytes(Tensor t) {
    try (TensorScope s = TensorScope.open()) {
      Tensor c = t.detach().cpu().contiguous();
      byte[] out = new byte[(int) (c.numel() * c.element_size())];
      if (out.length > 0) {
        new BytePointer(c.data_ptr()).capacity(out.length).get(out);
      }
      return out;
    }
  }

  private static byte[] fileBytes(byte[] header, byte[] data) {
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    return b.array();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }

  /** The address ranges of the mappings of a file, from /proc/self/maps. */
  private static long[][] mappedRanges(Path file) throws IOException {
    String real = file.toRealPath().toString();
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .filter(l -> l.endsWith(" " + real))
        .map(
            l -> {
              String[] range = l.substring(0, l.indexOf(' ')).split("-");
              return new long[] {
                Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)
              };
            })
        .toArray(long[][]::new);
  }

  private static boolean insideAny(long address, long[][] ranges) {
    for (long[] range : ranges) {
      if (address >= range[0] && address < range[1]) {
        return true;
      }
    }
    return false;
  }

  /** A header parsed independently of {@link Safetensors} (Jackson only). */
  private static final class Header {
    final long dataStart;
    final Map<String, JsonNode> entries = new TreeMap<>();
    JsonNode metadata;

    private Header(long dataStart) {
      this.dataStart = dataStart;
    }

    static Header parse(byte[] file) throws IOException {
      long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      Header h = new Header(8 + n);
      JsonNode root = JSON.readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
      Iterator<Map.Entry<String, JsonNode>> it = root.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          h.metadata = e.getValue();
        } else {
          h.entries.put(e.getKey(), e.getValue());
        }
      }
      return h;
    }
  }
}
