package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.zeros_like;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * SDXL's prompt encoding: two CLIP tokenizers and text encoders, combined the way diffusers' {@code
 * StableDiffusionXLPipeline.encode_prompt} does (with {@code clip_skip=None}).
 *
 * <p>{@code prompt_embeds = concat(text_encoder(ids1).hidden_states[-2],
 * text_encoder_2(ids2).hidden_states[-2], dim=-1)}, {@code pooled =
 * text_encoder_2(ids2).text_embeds}; {@code prompt_2} defaults to {@code prompt}. With
 * classifier-free guidance and no negative prompt, {@code force_zeros_for_empty_prompt} (read from
 * {@code model_index.json}, default true) gives zero negative embeddings; otherwise the negative
 * prompt (or {@code ""}) is encoded the same way, padded to the positive length. Results are cast
 * to {@code text_encoder_2}'s dtype. Prompts longer than the context are truncated to {@code bos +
 * 75 tokens + eos} as in the pipeline. ({@code num_images_per_prompt} is left to the caller: repeat
 * the prompts.)
 *
 * <p>Owns both encoders' weights: close it when done. Thread-safe like {@link ClipTextModel}.
 *
 * @since 0.1.0
 */
public final class SdxlTextEncoder implements AutoCloseable {
  private final ClipTokenizer tokenizer;
  private final ClipTextModel textEncoder;
  private final ClipTokenizer tokenizer2;
  private final ClipTextModel textEncoder2;
  private final boolean forceZerosForEmptyPrompt;

  private SdxlTextEncoder(
      ClipTokenizer tokenizer,
      ClipTextModel textEncoder,
      ClipTokenizer tokenizer2,
      ClipTextModel textEncoder2,
      boolean forceZerosForEmptyPrompt) {
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.tokenizer2 = tokenizer2;
    this.textEncoder2 = textEncoder2;
    this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
  }

  /**
   * Assembles an encoder from loaded parts; the models become owned by the result.
   *
   * @param tokenizer {@code tokenizer/}
   * @param textEncoder {@code text_encoder/}
   * @param tokenizer2 {@code tokenizer_2/}
   * @param textEncoder2 {@code text_encoder_2/}, which must have a text projection
   * @param forceZerosForEmptyPrompt the pipeline's {@code force_zeros_for_empty_prompt}
   * @return the encoder
   * @throws IllegalArgumentException if {@code textEncoder2} has no projection or the tokenizers'
   *     lengths differ
   */
  public static SdxlTextEncoder of(
      ClipTokenizer tokenizer,
      ClipTextModel textEncoder,
      ClipTokenizer tokenizer2,
      ClipTextModel textEncoder2,
      boolean forceZerosForEmptyPrompt) {
    checkNotNull(tokenizer, "tokenizer");
    checkNotNull(textEncoder, "textEncoder");
    checkNotNull(tokenizer2, "tokenizer2");
    checkNotNull(textEncoder2, "textEncoder2");
    checkArgument(
        textEncoder2.config().withProjection(),
        "textEncoder2 must have a text_projection (CLIPTextModelWithProjection) but %s has none",
        textEncoder2.source());
    checkArgument(
        tokenizer.maxLength() == tokenizer2.maxLength(),
        "tokenizers must have the same model_max_length but had %s and %s",
        tokenizer.maxLength(),
        tokenizer2.maxLength());
    return new SdxlTextEncoder(
        tokenizer, textEncoder, tokenizer2, textEncoder2, forceZerosForEmptyPrompt);
  }

  /**
   * Loads the text side of a diffusers SDXL folder in float32 on the CPU.
   *
   * @param pipelineDir the folder holding {@code tokenizer/}, {@code tokenizer_2/}, {@code
   *     text_encoder/}, {@code text_encoder_2/} (and optionally {@code model_index.json})
   * @return the encoder
   * @throws IOException if a file is missing or malformed (the message names it)
   */
  public static SdxlTextEncoder load(Path pipelineDir) throws IOException {
    try (TensorScope s = TensorScope.open()) {
      return load(pipelineDir, ScalarType.Float, new Device("cpu"));
    }
  }

  /**
   * Loads the text side of a diffusers SDXL folder.
   *
   * @param pipelineDir the pipeline folder
   * @param dtype dtype of both encoders (Float; BFloat16 or Half on CUDA)
   * @param device the device
   * @return the encoder
   * @throws IOException if a file is missing or malformed (the message names it)
   */
  public static SdxlTextEncoder load(Path pipelineDir, ScalarType dtype, Device device)
      throws IOException {
    checkNotNull(pipelineDir, "pipelineDir");
    if (!Files.isDirectory(pipelineDir)) {
      throw new NoSuchFileException(pipelineDir.toString(), null, "pipeline folder not found");
    }
    boolean forceZeros = true;
    Path index = pipelineDir.resolve("model_index.json");
    if (Files.isRegularFile(index)) {
      forceZeros = JsonConfig.read(index).getBoolean("force_zeros_for_empty_prompt", true);
    }
    ClipTokenizer tok1 = ClipTokenizer.load(pipelineDir.resolve("tokenizer"));
    ClipTokenizer tok2 = ClipTokenizer.load(pipelineDir.resolve("tokenizer_2"));
    ClipTextModel te1 = ClipTextModel.load(pipelineDir.resolve("text_encoder"), dtype, device);
    try {
      ClipTextModel te2 = ClipTextModel.load(pipelineDir.resolve("text_encoder_2"), dtype, device);
      try {
        return of(tok1, te1, tok2, te2, forceZeros);
      } catch (RuntimeException e) {
        te2.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      te1.close();
      throw e;
    }
  }

  /**
   * Encodes one prompt without guidance.
   *
   * @param prompt the prompt (for both encoders)
   * @return the embeddings, in the caller's scope
   */
  public PromptEmbeddings encode(String prompt) {
    return encode(PromptRequest.builder(prompt).build());
  }

  /**
   * Encodes a prompt and a negative prompt (classifier-free guidance).
   *
   * @param prompt the prompt
   * @param negativePrompt the negative prompt ({@code ""} is encoded; use a {@link PromptRequest}
   *     without negative prompt for {@code force_zeros_for_empty_prompt})
   * @return the embeddings with negatives, in the caller's scope
   */
  public PromptEmbeddings encode(String prompt, String negativePrompt) {
    return encode(PromptRequest.builder(prompt).negativePrompt(negativePrompt).build());
  }

  /**
   * Encodes a batch like {@code encode_prompt}.
   *
   * @param request prompts, second prompts, guidance and negatives
   * @return the embeddings; tensors in the caller's current scope
   */
  public PromptEmbeddings encode(PromptRequest request) {
    checkNotNull(request, "request");
    List<String> prompts = request.prompts();
    List<String> prompts2 = request.prompts2().isEmpty() ? prompts : request.prompts2();
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] positive = encodePair(prompts, prompts2, tokenizer.maxLength());
      Tensor negEmbeds = null;
      Tensor negPooled = null;
      if (request.classifierFreeGuidance()) {
        if (request.negativePrompts().isEmpty() && forceZerosForEmptyPrompt) {
          negEmbeds = zeros_like(positive[0]);
          negPooled = zeros_like(positive[1]);
        } else {
          List<String> neg =
              request.negativePrompts().isEmpty()
                  ? Collections.nCopies(prompts.size(), "")
                  : request.negativePrompts();
          List<String> neg2 =
              request.negativePrompts2().isEmpty() ? neg : request.negativePrompts2();
          Tensor[] negative = encodePair(neg, neg2, Math.toIntExact(positive[0].size(1)));
          negEmbeds = negative[0];
          negPooled = negative[1];
        }
      }
      return new PromptEmbeddings(
          scope.keep(positive[0]),
          scope.keep(positive[1]),
          negEmbeds == null ? null : scope.keep(negEmbeds),
          negPooled == null ? null : scope.keep(negPooled));
    }
  }

  /** {@code [prompt_embeds, pooled]} for one list per encoder; tensors in the current scope. */
  private Tensor[] encodePair(List<String> prompts1, List<String> prompts2, int length) {
    ScalarType outType = textEncoder2.dtype();
    ClipTextOutput out1 = textEncoder.forward(ids(tokenizer, prompts1, length));
    ClipTextOutput out2 = textEncoder2.forward(ids(tokenizer2, prompts2, length));
    Tensor embeds =
        cat(new TensorVector(out1.penultimate().to(outType), out2.penultimate().to(outType)), -1);
    Tensor pooled = out2.textEmbeds().orElseThrow().to(outType);
    return new Tensor[] {embeds, pooled};
  }

  private static Tensor ids(ClipTokenizer tokenizer, List<String> prompts, int length) {
    long[] flat = new long[prompts.size() * length];
    for (int b = 0; b < prompts.size(); b++) {
      int[] row = tokenizer.encode(prompts.get(b), length);
      for (int i = 0; i < length; i++) {
        flat[b * length + i] = row[i];
      }
    }
    return Tensors.fromLongs(flat, prompts.size(), length);
  }

  /** {@code tokenizer/}. */
  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  /** {@code tokenizer_2/}. */
  public ClipTokenizer tokenizer2() {
    return tokenizer2;
  }

  /** {@code text_encoder/}. */
  public ClipTextModel textEncoder() {
    return textEncoder;
  }

  /** {@code text_encoder_2/}. */
  public ClipTextModel textEncoder2() {
    return textEncoder2;
  }

  /** Width of {@link PromptEmbeddings#promptEmbeds()} (the UNet's {@code cross_attention_dim}). */
  public int embeddingDim() {
    return textEncoder.config().hiddenSize() + textEncoder2.config().hiddenSize();
  }

  /** Width of {@link PromptEmbeddings#pooledPromptEmbeds()}. */
  public int pooledDim() {
    return textEncoder2.config().projectionDim();
  }

  /** The pipeline's {@code force_zeros_for_empty_prompt}. */
  public boolean forceZerosForEmptyPrompt() {
    return forceZerosForEmptyPrompt;
  }

  @Override
  public void close() {
    try {
      textEncoder.close();
    } finally {
      textEncoder2.close();
    }
  }
}
