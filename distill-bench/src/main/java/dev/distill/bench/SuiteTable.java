package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@code run-suite} results folder into the README's throughput table: each {@link
 * SamplerThroughput} line beside the FLOP floor it implies.
 *
 * <pre>
 * SuiteTable RESULTS_DIR [--fixtures DIR]
 * </pre>
 *
 * <p>FLOPs per step (from the configs, {@link FlopCount}): U = UNet forward × batch × (2 with CFG);
 * D = VAE decode × batch at the latent size divided by the decode scale. Unguided and {@code z0}:
 * U. {@code decoder}: U + 2·D (the decode and its input gradient; the VAE weights need none).
 * {@code unet}: 2·U + 2·D (the UNet's input gradient too). The floor is those FLOPs over the matmul
 * rate measured for the run's dtype and thread count ({@code matmul.txt}; a proxy for the machine's
 * peak — convolutions can run a little faster); "× floor" is the measured seconds per step over it.
 * Writes {@code table.md} into the folder and prints it.
 */
public final class SuiteTable {
  private static final Pattern MATMUL =
      Pattern.compile("(float32|bfloat16|float16), (\\d+) threads: ([0-9.]+) GFLOP/s");

  private SuiteTable() {}

  /**
   * Entry point.
   *
   * @param args see the class comment
   * @throws IOException if the folder cannot be read or the table written
   */
  public static void main(String[] args) throws IOException {
    checkArgument(args.length >= 1, "usage: SuiteTable RESULTS_DIR [--fixtures DIR]");
    Path dir = Path.of(args[0]);
    Path fixtures = Path.of(System.getProperty("distill.fixtures", "/work/shared/fixtures"));
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--fixtures")) {
        fixtures = Path.of(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String table = table(dir, fixtures);
    AtomicFiles.writeString(dir.resolve("table.md"), table);
    System.out.print(table);
  }

  /** The markdown table for one results folder. */
  static String table(Path dir, Path fixtures) throws IOException {
    Map<String, Double> rates = new LinkedHashMap<>();
    Path matmul = dir.resolve("matmul.txt");
    checkArgument(Files.isRegularFile(matmul), "%s must exist (run-suite writes it)", matmul);
    for (String line : Files.readAllLines(matmul)) {
      Matcher m = MATMUL.matcher(line);
      if (m.find()) {
        rates.put(m.group(1) + "/" + m.group(2), Double.parseDouble(m.group(3)));
      }
    }
    Path jsonl = dir.resolve("sampler.jsonl");
    checkArgument(Files.isRegularFile(jsonl), "%s must exist (run-suite writes it)", jsonl);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> runs = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      if (!line.isBlank()) {
        runs.add(json.readTree(line));
      }
    }
    Map<String, Double> unguided = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      if (r.get("guidance").asText().equals("none")) {
        unguided.put(key(r), r.get("medianSeconds").asDouble() / r.get("steps").asInt());
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(
        "| pipeline | image | batch | CFG | guidance | threads | steps/s | s/step | GFLOP/step |"
            + " floor s/step | × floor | × unguided | peak RSS |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode r : runs) {
      String pipeline = r.get("pipeline").asText();
      Path cfgDir = fixtures.resolve(pipeline);
      JsonConfig unet = JsonConfig.read(cfgDir.resolve("unet/config.json"));
      JsonConfig vae = JsonConfig.read(cfgDir.resolve("vae/config.json"));
      int factor = 1 << (vae.getIntList("block_out_channels").size() - 1);
      int h = r.get("height").asInt() / factor;
      int w = r.get("width").asInt() / factor;
      int batch = r.get("batch").asInt();
      int ds = r.has("decodeScale") ? r.get("decodeScale").asInt() : 1;
      boolean cfg = r.get("cfg").asDouble() > 1.0;
      double u = FlopCount.unetForward(unet, h, w) * batch * (cfg ? 2 : 1);
      double d = FlopCount.vaeDecode(vae, h / ds, w / ds) * batch;
      String guidance = r.get("guidance").asText();
      double flops =
          switch (guidance) {
            case "decoder" -> u + 2 * d;
            case "unet" -> 2 * u + 2 * d;
            default -> u;
          };
      int threads = r.get("threads").asInt();
      String dtype = r.has("dtype") ? r.get("dtype").asText() : "float32";
      Double rate = rates.get(dtype + "/" + threads);
      int steps = r.get("steps").asInt();
      double perStep = r.get("medianSeconds").asDouble() / steps;
      double floor = rate == null ? Double.NaN : flops / (rate * 1e9);
      Double base = unguided.get(key(r));
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d² | %d | %s | %s%s%s | %d | %.3f | %.3f | %.2f | %.3f | %.1f | %s | %.0f MiB |%n",
              pipeline + (r.get("randomWeights").asBoolean() ? " (random)" : ""),
              r.get("height").asInt(),
              batch,
              cfg ? String.format(Locale.ROOT, "%.0f", r.get("cfg").asDouble()) : "off",
              guidance,
              ds > 1 ? ", decode-scale " + ds : "",
              dtype.equals("float32") ? "" : ", " + dtype,
              threads,
              steps / r.get("medianSeconds").asDouble(),
              perStep,
              flops / 1e9,
              floor,
              perStep / floor,
              base == null ? "–" : String.format(Locale.ROOT, "%.2f", perStep / base),
              r.get("peakRssMib").asDouble()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nFloor = GFLOP per step / the matmul rate of the row's dtype and thread count, %s GFLOP/s"
                + " (matmul.txt).%n",
            rates));
    return b.toString();
  }

  /** Runs that share pipeline, size, batch, CFG, threads and dtype compare with each other. */
  private static String key(JsonNode r) {
    return r.get("pipeline").asText()
        + "|"
        + r.get("height").asInt()
        + "|"
        + r.get("batch").asInt()
        + "|"
        + r.get("cfg").asDouble()
        + "|"
        + r.get("threads").asInt()
        + "|"
        + (r.has("dtype") ? r.get("dtype").asText() : "float32");
  }
}
