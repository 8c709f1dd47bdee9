package dev.distill.sdxl.text;

import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * SDXL's text conditioning for one batch (what diffusers' {@code encode_prompt} returns).
 *
 * <p>{@link #promptEmbeds()} {@code [B, 77, D1 + D2]} (the two encoders' penultimate hidden states,
 * concatenated; 2048 for SDXL), {@link #pooledPromptEmbeds()} {@code [B, P]} ({@code
 * text_encoder_2}'s projected pooled output; 1280 for SDXL), and the same two for the negative
 * prompts when classifier-free guidance was requested. dtype and device are those of {@code
 * text_encoder_2}. The tensors belong to the {@link dev.distill.core.tensor.TensorScope} that was
 * innermost when they were computed (or to the caller if there was none). Immutable holder.
 *
 * @since 0.1.0
 */
public final class PromptEmbeddings {
  private final Tensor promptEmbeds;
  private final Tensor pooledPromptEmbeds;
  private final Tensor negativePromptEmbeds;
  private final Tensor negativePooledPromptEmbeds;

  PromptEmbeddings(
      Tensor promptEmbeds,
      Tensor pooledPromptEmbeds,
      Tensor negativePromptEmbeds,
      Tensor negativePooledPromptEmbeds) {
    this.promptEmbeds = promptEmbeds;
    this.pooledPromptEmbeds = pooledPromptEmbeds;
    this.negativePromptEmbeds = negativePromptEmbeds;
    this.negativePooledPromptEmbeds = negativePooledPromptEmbeds;
  }

  /** {@code prompt_embeds} {@code [B, L, D1 + D2]}. */
  public Tensor promptEmbeds() {
    return promptEmbeds;
  }

  /** {@code pooled_prompt_embeds} {@code [B, P]}. */
  public Tensor pooledPromptEmbeds() {
    return pooledPromptEmbeds;
  }

  /** {@code negative_prompt_embeds}, present when guidance was requested. */
  public Optional<Tensor> negativePromptEmbeds() {
    return Optional.ofNullable(negativePromptEmbeds);
  }

  /** {@code negative_pooled_prompt_embeds}, present when guidance was requested. */
  public Optional<Tensor> negativePooledPromptEmbeds() {
    return Optional.ofNullable(negativePooledPromptEmbeds);
  }
}
