package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A safetensors file, memory-mapped: the header is parsed and fully validated on {@link #open},
 * tensors are views into the mapping (no copy) when their bytes are aligned for their dtype.
 *
 * <p>Format (huggingface/safetensors): an 8-byte little-endian header length {@code N}, {@code N}
 * bytes of UTF-8 JSON ({@code name → {dtype, shape, data_offsets}} plus an optional {@code
 * __metadata__} string map), then the data buffer. {@link #open} checks everything the reference
 * reader checks (header size, JSON, dtypes, {@code end - begin == numel × size}, offsets within the
 * buffer, sorted ranges contiguous without overlap or gap, the buffer fully used) and throws one
 * {@link SafetensorsException} naming the file, the tensor and the problem.
 *
 * <p>The mapping is owned by LibTorch's storage: tensors returned by {@link #tensor} stay valid
 * after this object is closed. Returned tensors belong to the caller's current {@link TensorScope}.
 * The views are read-only in spirit: the mapping is private (copy-on-write), so writing to a view
 * never changes the file. Not thread-safe for concurrent {@link #tensor} calls (thread-confined
 * scopes).
 *
 * @since 0.1.0
 */
public final class Safetensors implements AutoCloseable {
  /** The largest header the reference reader accepts. */
  public static final long MAX_HEADER_SIZE = 100_000_000L;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final Path file;
  private final long dataStart;
  private final Map<String, TensorInfo> infos;
  private final Map<String, String> metadata;
  private Tensor mapping;
  private boolean closed;

  private Safetensors(
      Path file, long dataStart, Map<String, TensorInfo> infos, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.infos = infos;
    this.metadata = metadata;
  }

  /**
   * Opens and validates a file.
   *
   * @param file the path
   * @return the opened file
   * @throws SafetensorsException if the file is malformed
   * @throws IOException if it cannot be read
   */
  public static Safetensors open(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
    }
    long size = Files.size(file);
    if (size < 8) {
      throw new SafetensorsException(
          file, null, "file is " + size + " bytes, shorter than the 8-byte header length");
    }
    long n;
    byte[] header;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      n = len.flip().getLong();
      if (n < 2 || n > MAX_HEADER_SIZE) {
        throw new SafetensorsException(
            file, null, "header length " + Long.toUnsignedString(n) + " is outside [2, 100000000]");
      }
      if (n > size - 8) {
        throw new SafetensorsException(
            file,
            null,
            "header length " + n + " runs beyond the end of the file (" + size + " bytes)");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8);
      header = hb.array();
    }
    long dataStart = 8 + n;
    long dataLength = size - dataStart;
    Map<String, String> metadata = new TreeMap<>();
    Map<String, TensorInfo> infos = parseHeader(file, header, dataLength, metadata);
    return new Safetensors(
        file, dataStart, Collections.unmodifiableMap(infos), Collections.unmodifiableMap(metadata));
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static Map<String, TensorInfo> parseHeader(
      Path file, byte[] header, long dataLength, Map<String, String> metadata)
      throws SafetensorsException {
    JsonNode root;
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
      root = JSON.readTree(text);
    } catch (JsonProcessingException | java.nio.charset.CharacterCodingException e) {
      throw new SafetensorsException(
          file, null, "header is not valid UTF-8 JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsException(file, null, "header must be a JSON object");
    }
    Map<String, TensorInfo> infos = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) {
          throw new SafetensorsException(file, null, "__metadata__ must be an object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> m = v.fields();
        while (m.hasNext()) {
          Map.Entry<String, JsonNode> kv = m.next();
          if (!kv.getValue().isTextual()) {
            throw new SafetensorsException(
                file, null, "__metadata__ value of '" + kv.getKey() + "' must be a string");
          }
          metadata.put(kv.getKey(), kv.getValue().asText());
        }
        continue;
      }
      infos.put(name, parseInfo(file, name, v, dataLength));
    }
    List<TensorInfo> byOffset = new ArrayList<>(infos.values());
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    String previous = null;
    for (TensorInfo info : byOffset) {
      if (info.begin() < expected) {
        throw new SafetensorsException(
            file,
            info.name(),
            "byte range ["
                + info.begin()
                + ", "
                + info.end()
                + ") overlaps tensor '"
                + previous
                + "' which ends at "
                + expected);
      }
      if (info.begin() > expected) {
        throw new SafetensorsException(
            file,
            info.name(),
            "byte range starts at " + info.begin() + " leaving a gap after offset " + expected);
      }
      expected = info.end();
      previous = info.name();
    }
    if (expected != dataLength) {
      throw new SafetensorsException(
          file,
          null,
          "tensors cover " + expected + " bytes but the data buffer has " + dataLength + " bytes");
    }
    return infos;
  }

  private static TensorInfo parseInfo(Path file, String name, JsonNode v, long dataLength)
      throws SafetensorsException {
    if (!v.isObject()) {
      throw new SafetensorsException(file, name, "entry must be a JSON object");
    }
    JsonNode dt = v.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw new SafetensorsException(file, name, "missing string field 'dtype'");
    }
    Optional<SafetensorsDtype> dtype = SafetensorsDtype.byName(dt.asText());
    if (dtype.isEmpty()) {
      throw new SafetensorsException(
          file,
          name,
          "unknown dtype '"
              + dt.asText()
              + "', expected one of BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64");
    }
    JsonNode sh = v.get("shape");
    if (sh == null || !sh.isArray()) {
      throw new SafetensorsException(file, name, "missing array field 'shape'");
    }
    List<Long> shape = new ArrayList<>();
    long numel = 1;
    for (JsonNode d : sh) {
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new SafetensorsException(
            file, name, "shape entries must be integers >= 0 but were " + sh);
      }
      shape.add(d.asLong());
      try {
        numel = Math.multiplyExact(numel, d.asLong());
      } catch (ArithmeticException ex) {
        throw new SafetensorsException(file, name, "shape " + sh + " overflows");
      }
    }
    JsonNode off = v.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2) {
      throw new SafetensorsException(file, name, "missing field 'data_offsets' [begin, end]");
    }
    for (JsonNode o : off) {
      if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
        throw new SafetensorsException(
            file, name, "data_offsets must be integers >= 0 but were " + off);
      }
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (end < begin) {
      throw new SafetensorsException(file, name, "data_offsets " + off + " end before they begin");
    }
    if (end > dataLength) {
      throw new SafetensorsException(
          file,
          name,
          "data_offsets " + off + " run beyond the data buffer of " + dataLength + " bytes");
    }
    long expectedBytes;
    try {
      expectedBytes = Math.multiplyExact(numel, dtype.get().size());
    } catch (ArithmeticException ex) {
      throw new SafetensorsException(file, name, "shape " + sh + " overflows");
    }
    if (end - begin != expectedBytes) {
      throw new SafetensorsException(
          file,
          name,
          "shape "
              + shape
              + " of "
              + dtype.get()
              + " needs "
              + expectedBytes
              + " bytes but data_offsets "
              + off
              + " hold "
              + (end - begin));
    }
    return new TensorInfo(name, dtype.get(), shape, begin, end);
  }

  /** The file this was opened from. */
  public Path file() {
    return file;
  }

  /** The tensor names, sorted (immutable). */
  public List<String> names() {
    return List.copyOf(infos.keySet());
  }

  /** Whether a tensor of this name exists. */
  public boolean contains(String name) {
    return infos.containsKey(name);
  }

  /**
   * The header entry of a tensor.
   *
   * @param name the tensor name
   * @return its entry
   * @throws IllegalArgumentException if there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = infos.get(name);
    checkArgument(info != null, "tensor '%s' must exist in %s but does not", name, file);
    return info;
  }

  /** All header entries by name (immutable, sorted). */
  public Map<String, TensorInfo> infos() {
    return infos;
  }

  /** The {@code __metadata__} map (immutable, possibly empty). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * A tensor, as a view into the memory mapping when its bytes are aligned, otherwise as a copy.
   *
   * @param name the tensor name
   * @return the tensor on the CPU in its stored dtype, owned by the caller's current scope
   * @throws IllegalArgumentException if there is no such tensor
   * @throws IllegalStateException if this file was closed
   */
  public Tensor tensor(String name) {
    TensorInfo info = info(name);
    Tensor map = mapping();
    try (TensorScope scope = TensorScope.open()) {
      long nbytes = info.end() - info.begin();
      long offset = dataStart + info.begin();
      Tensor bytes = map.narrow(0, offset, nbytes);
      if (offset % info.dtype().size() != 0) {
        bytes = bytes.clone();
      }
      Tensor typed =
          info.dtype() == SafetensorsDtype.U8 ? bytes : bytes.view(info.dtype().scalarType());
      return scope.keep(typed.view(info.shapeArray()));
    }
  }

  private synchronized Tensor mapping() {
    checkState(!closed, "Safetensors %s must be open but was closed", file);
    if (mapping == null) {
      try (TensorScope scope = TensorScope.open()) {
        long size = dataStart + infos.values().stream().mapToLong(TensorInfo::end).max().orElse(0);
        Tensor t =
            torch.from_file(
                file.toString(),
                new BoolOptional(false),
                new LongOptional(size),
                new TensorOptions(ScalarType.Byte));
        mapping = scope.detach(t);
      }
    }
    return mapping;
  }

  /** Drops this object's reference to the mapping (tensors already returned stay valid). */
  @Override
  public synchronized void close() {
    closed = true;
    if (mapping != null) {
      mapping.close();
      mapping = null;
    }
  }

  /**
   * Writes tensors to a safetensors file atomically (a temporary file, then a move).
   *
   * <p>Tensors are written in the reference writer's order (descending dtype size, then name), the
   * header is padded with spaces to a multiple of 8, so every tensor is aligned. Any device and
   * layout is accepted; the bytes written are those of the contiguous CPU copy.
   *
   * @param file the destination
   * @param tensors name → tensor; names must not be {@code __metadata__}
   * @param metadata string metadata, possibly empty
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if a dtype is not supported
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    checkNotNull(file, "file");
    checkNotNull(tensors, "tensors");
    checkNotNull(metadata, "metadata");
    List<String> order = new ArrayList<>(tensors.keySet());
    for (String name : order) {
      checkArgument(!name.equals("__metadata__"), "tensor name must not be __metadata__");
      checkNotNull(tensors.get(name), "tensor '%s'", name);
    }
    order.sort(
        Comparator.comparingInt(
                (String n) -> -SafetensorsDtype.of(tensors.get(n).scalar_type()).size())
            .thenComparing(Comparator.naturalOrder()));
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    Map<String, long[]> ranges = new LinkedHashMap<>();
    for (String name : order) {
      Tensor t = tensors.get(name);
      SafetensorsDtype dtype = SafetensorsDtype.of(t.scalar_type());
      long nbytes = t.numel() * dtype.size();
      ObjectNode e = header.putObject(name);
      e.put("dtype", dtype.name());
      var shape = e.putArray("shape");
      for (long d : Tensors.shape(t)) {
        shape.add(d);
      }
      var off = e.putArray("data_offsets");
      off.add(offset);
      off.add(offset + nbytes);
      ranges.put(name, new long[] {offset, offset + nbytes});
      offset += nbytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    AtomicFiles.write(
        file,
        out -> {
          ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          len.putLong(padded);
          out.write(len.array());
          out.write(headerBytes);
          for (String name : order) {
            writeBytes(out, tensors.get(name));
          }
        });
  }

  private static void writeBytes(OutputStream out, Tensor t) throws IOException {
    try (TensorScope scope = TensorScope.open()) {
      Tensor c = t.detach().cpu().contiguous();
      long nbytes = c.numel() * c.element_size();
      if (nbytes == 0) {
        return;
      }
      BytePointer p = new BytePointer(c.data_ptr()).capacity(nbytes);
      byte[] chunk = new byte[(int) Math.min(nbytes, 1 << 20)];
      long pos = 0;
      while (pos < nbytes) {
        int n = (int) Math.min(chunk.length, nbytes - pos);
        p.position(pos).get(chunk, 0, n);
        out.write(chunk, 0, n);
        pos += n;
      }
    }
  }
}
