package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.text.ClipTextModel;
import dev.distill.sdxl.text.ClipTextOutput;
import dev.distill.sdxl.text.ClipTokenizer;
import dev.distill.sdxl.text.PromptEmbeddings;
import dev.distill.sdxl.text.PromptRequest;
import dev.distill.sdxl.text.SdxlTextEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Golden parity of the SDXL text side against a fixture folder in the {@code sdxl-tiny} layout
 * (component folders plus {@code cases/tokenizer.json}, {@code cases/text_encoders.safetensors} and
 * {@code cases/pipeline.safetensors}, see that folder's {@code cases/README.md}).
 *
 * <p>Everything is discovered from the files: the prompts, the tokenizers (every object in {@code
 * tokenizer.json} with {@code input_ids}, loaded from the folder of the same name), the encoders
 * (every {@code teN.input_ids} in {@code text_encoders.safetensors}; {@code te1} → {@code
 * text_encoder/}, {@code teN} → {@code text_encoder_N/}) and their outputs, and the pipeline cases
 * that carry text conditioning and their {@code kwargs}. Each method returns one {@link CaseResult}
 * per comparison and never throws on a mismatch (only on unreadable files).
 *
 * <p>Stateless and thread-safe; each call loads what it needs and frees it.
 */
final class TextParity {
  /** The fixture's suggested tolerance for fp32 text encoder outputs. */
  static final double ENCODER_ATOL = 1e-5;

  /** The fixture's suggested relative tolerance for fp32 text encoder outputs. */
  static final double ENCODER_RTOL = 1e-4;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ENCODER_OUTPUTS =
      List.of("hidden_states", "penultimate", "last_hidden_state", "pooler_output", "text_embeds");

  private TextParity() {}

  /**
   * Every text case of a fixture folder: tokenizers, encoders in fp32 (and float64 against the
   * {@code .f64} references), and pipeline text conditioning.
   *
   * @param fixtureDir the fixture folder (e.g. {@code .../fixtures/sdxl-tiny})
   * @return the cases
   * @throws IOException if a file is missing or unreadable
   */
  static List<CaseResult> all(Path fixtureDir) throws IOException {
    List<CaseResult> out = new ArrayList<>(tokenizers(fixtureDir));
    out.addAll(textEncoders(fixtureDir));
    out.addAll(textEncodersFloat64(fixtureDir));
    out.addAll(promptConditioning(fixtureDir));
    return out;
  }

  /**
   * Tokenizer parity (exact): for each tokenizer and prompt, {@code input_ids}, {@code
   * bpe_tokens_untruncated}, {@code ids_untruncated_with_special}; per tokenizer the pad token and
   * the pad/bos/eos ids.
   *
   * @param fixtureDir the fixture folder
   * @return the cases
   * @throws IOException if a file is missing or unreadable
   */
  static List<CaseResult> tokenizers(Path fixtureDir) throws IOException {
    Path file = requireFile(fixtureDir.resolve("cases").resolve("tokenizer.json"));
    JsonNode root = JSON.readTree(file.toFile());
    List<String> prompts = new ArrayList<>();
    root.path("prompts").forEach(p -> prompts.add(p.asText()));
    int maxLength = root.path("max_length").asInt(ClipTokenizer.DEFAULT_MAX_LENGTH);
    List<CaseResult> out = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode ref = e.getValue();
      if (!ref.isObject() || !ref.has("input_ids")) {
        continue;
      }
      String name = e.getKey();
      ClipTokenizer tok = ClipTokenizer.load(fixtureDir.resolve(name));
      out.add(
          exact(
              name + ".pad_token",
              List.of(tok.padToken()),
              List.of(ref.path("pad_token").asText())));
      out.add(
          exactIds(
              name + ".special_ids",
              new int[] {tok.padTokenId(), tok.bosTokenId(), tok.eosTokenId()},
              new int[] {
                ref.path("pad_token_id").asInt(),
                ref.path("bos_token_id").asInt(),
                ref.path("eos_token_id").asInt()
              }));
      for (int p = 0; p < prompts.size(); p++) {
        String prompt = prompts.get(p);
        String label = "[p" + p + "]";
        out.add(
            exactIds(
                name + ".input_ids" + label,
                tok.encode(prompt, maxLength),
                ints(ref.path("input_ids").get(p))));
        List<String> bpe = new ArrayList<>();
        ref.path("bpe_tokens_untruncated").get(p).forEach(t -> bpe.add(t.asText()));
        out.add(exact(name + ".bpe_tokens_untruncated" + label, tok.tokenize(prompt), bpe));
        out.add(
            exactIds(
                name + ".ids_untruncated_with_special" + label,
                tok.idsWithSpecialTokens(prompt),
                ints(ref.path("ids_untruncated_with_special").get(p))));
      }
    }
    return out;
  }

  /**
   * Text encoder parity in float32 on the CPU with the fixture's tolerances (atol 1e-5, rtol 1e-4)
   * against the fp32 references.
   *
   * @param fixtureDir the fixture folder
   * @return one case per encoder output
   * @throws IOException if a file is missing or unreadable
   */
  static List<CaseResult> textEncoders(Path fixtureDir) throws IOException {
    return textEncoders(fixtureDir, ScalarType.Float, "", ENCODER_ATOL, ENCODER_RTOL);
  }

  /**
   * Text encoder parity in float64 against the {@code .f64} references (atol 1e-10, rtol 1e-8):
   * separates porting errors from fp32 rounding.
   *
   * @param fixtureDir the fixture folder
   * @return one case per encoder output that has a {@code .f64} reference
   * @throws IOException if a file is missing or unreadable
   */
  static List<CaseResult> textEncodersFloat64(Path fixtureDir) throws IOException {
    return textEncoders(fixtureDir, ScalarType.Double, ".f64", 1e-10, 1e-8);
  }

  /**
   * Text encoder parity in a given dtype on the CPU.
   *
   * @param fixtureDir the fixture folder
   * @param dtype the dtype to run the encoders in
   * @param referenceSuffix {@code ""} for the fp32 references, {@code ".f64"} for float64 ones
   * @param atol absolute tolerance
   * @param rtol relative tolerance
   * @return one case per encoder output
   * @throws IOException if a file is missing or unreadable
   */
  static List<CaseResult> textEncoders(
      Path fixtureDir, ScalarType dtype, String referenceSuffix, double atol, double rtol)
      throws IOException {
    checkNotNull(referenceSuffix, "referenceSuffix");
    Path file = requireFile(fixtureDir.resolve("cases").resolve("text_encoders.safetensors"));
    List<CaseResult> out = new ArrayList<>();
    try (TensorScope scope = TensorScope.open();
        Safetensors st = Safetensors.open(file)) {
      Device cpu = new Device("cpu");
      for (String prefix : encoderPrefixes(st)) {
        Path componentDir = fixtureDir.resolve(componentFor(prefix));
        try (TensorScope step = TensorScope.open();
            ClipTextModel model = ClipTextModel.load(componentDir, dtype, cpu)) {
          ClipTextOutput result = model.forward(st.tensor(prefix + ".input_ids"));
          for (String output : ENCODER_OUTPUTS) {
            String refName = prefix + "." + output + referenceSuffix;
            if (!st.contains(refName)) {
              continue;
            }
            Tensor actual = encoderOutput(result, output);
            String caseName =
                "text_encoders:"
                    + refName
                    + (dtype.value == ScalarType.Float.value ? "" : "@" + dtype);
            if (actual == null) {
              out.add(CaseResult.missing(caseName, "the model has no " + output));
            } else {
              out.add(Compare.allClose(caseName, actual, st.tensor(refName), atol, rtol));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Pipeline text conditioning: for every case of {@code cases/pipeline.safetensors} with {@code
   * prompt_embeds} and a {@code <case>.kwargs} metadata entry, runs {@link SdxlTextEncoder} with
   * its prompt, negative prompt and guidance ({@code guidance_scale > 1}) and compares {@code
   * prompt_embeds}, {@code pooled_prompt_embeds} and the negative ones when stored.
   *
   * @param fixtureDir the fixture folder
   * @return the cases (none if the file does not exist)
   * @throws IOException if a file is unreadable
   */
  static List<CaseResult> promptConditioning(Path fixtureDir) throws IOException {
    Path file = fixtureDir.resolve("cases").resolve("pipeline.safetensors");
    List<CaseResult> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    try (TensorScope scope = TensorScope.open();
        Safetensors st = Safetensors.open(file);
        SdxlTextEncoder encoder = SdxlTextEncoder.load(fixtureDir)) {
      for (Map.Entry<String, String> meta : st.metadata().entrySet()) {
        if (!meta.getKey().endsWith(".kwargs")) {
          continue;
        }
        String caseName = meta.getKey().substring(0, meta.getKey().length() - ".kwargs".length());
        if (!st.contains(caseName + ".prompt_embeds")) {
          continue;
        }
        JsonNode kwargs = JSON.readTree(meta.getValue());
        PromptRequest request = requestFrom(kwargs);
        try (TensorScope step = TensorScope.open()) {
          PromptEmbeddings e = encoder.encode(request);
          String p = "pipeline:" + caseName + ".";
          out.add(
              Compare.allClose(
                  p + "prompt_embeds",
                  e.promptEmbeds(),
                  st.tensor(caseName + ".prompt_embeds"),
                  ENCODER_ATOL,
                  ENCODER_RTOL));
          out.add(
              Compare.allClose(
                  p + "pooled_prompt_embeds",
                  e.pooledPromptEmbeds(),
                  st.tensor(caseName + ".pooled_prompt_embeds"),
                  ENCODER_ATOL,
                  ENCODER_RTOL));
          for (String neg : List.of("negative_prompt_embeds", "negative_pooled_prompt_embeds")) {
            if (!st.contains(caseName + "." + neg)) {
              continue;
            }
            var actual =
                neg.equals("negative_prompt_embeds")
                    ? e.negativePromptEmbeds()
                    : e.negativePooledPromptEmbeds();
            if (actual.isEmpty()) {
              out.add(CaseResult.missing(p + neg, "no guidance requested"));
            } else {
              out.add(
                  Compare.allClose(
                      p + neg,
                      actual.get(),
                      st.tensor(caseName + "." + neg),
                      ENCODER_ATOL,
                      ENCODER_RTOL));
            }
          }
        }
      }
    }
    return out;
  }

  private static PromptRequest requestFrom(JsonNode kwargs) {
    PromptRequest.Builder b = PromptRequest.builder(kwargs.path("prompt").asText());
    if (kwargs.hasNonNull("prompt_2")) {
      b.prompt2(kwargs.get("prompt_2").asText());
    }
    double guidance = kwargs.path("guidance_scale").asDouble(5.0);
    b.classifierFreeGuidance(guidance > 1.0);
    if (guidance > 1.0) {
      if (kwargs.hasNonNull("negative_prompt")) {
        b.negativePrompt(kwargs.get("negative_prompt").asText());
      }
      if (kwargs.hasNonNull("negative_prompt_2")) {
        b.negativePrompt2(kwargs.get("negative_prompt_2").asText());
      }
    }
    return b.build();
  }

  private static List<String> encoderPrefixes(Safetensors st) {
    TreeSet<String> prefixes = new TreeSet<>();
    for (String name : st.names()) {
      if (name.endsWith(".input_ids")) {
        prefixes.add(name.substring(0, name.length() - ".input_ids".length()));
      }
    }
    return List.copyOf(prefixes);
  }

  /** {@code te1} → {@code text_encoder}, {@code teN} → {@code text_encoder_N}. */
  static String componentFor(String prefix) {
    if (!prefix.matches("te[0-9]+")) {
      throw new IllegalArgumentException(
          "encoder prefix must look like teN but was '" + prefix + "'");
    }
    int n = Integer.parseInt(prefix.substring(2));
    return n == 1 ? "text_encoder" : "text_encoder_" + n;
  }

  private static Tensor encoderOutput(ClipTextOutput r, String output) {
    return switch (output) {
      case "hidden_states" -> torchStack(r.hiddenStates());
      case "penultimate" -> r.penultimate();
      case "last_hidden_state" -> r.lastHiddenState();
      case "pooler_output" -> r.pooledOutput();
      case "text_embeds" -> r.textEmbeds().orElse(null);
      default -> throw new IllegalArgumentException("unknown output " + output);
    };
  }

  private static Tensor torchStack(List<Tensor> tensors) {
    return org.bytedeco.pytorch.global.torch.stack(
        new org.bytedeco.pytorch.TensorVector(tensors.toArray(new Tensor[0])), 0);
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array == null ? 0 : array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static CaseResult exactIds(String name, int[] actual, int[] expected) {
    return Compare.exact(name, boxed(actual), boxed(expected), "ids");
  }

  private static CaseResult exact(String name, List<String> actual, List<String> expected) {
    return Compare.exact(name, actual, expected, "tokens");
  }

  private static List<Integer> boxed(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return out;
  }

  private static Path requireFile(Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "fixture file not found");
    }
    return file;
  }
}
