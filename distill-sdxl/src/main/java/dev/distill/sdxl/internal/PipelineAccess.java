package dev.distill.sdxl.internal;

import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.core.guidance.GuidanceStep;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlRequest;
import dev.distill.sdxl.text.PromptRequest;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Unsupported: the pipeline internals the golden-parity harness ({@code dev.distill.sdxl.parity})
 * compares step by step, kept package-private in {@code dev.distill.sdxl.pipeline} and reached
 * through this bridge (the JDK's "shared secrets" idiom). {@link SdxlPipeline} registers the one
 * instance when its class is initialised. May change in any release.
 *
 * <p>Tensors returned belong to the caller's current scope. Thread-safe.
 */
public abstract class PipelineAccess {
  private static volatile PipelineAccess instance;

  /** For {@link SdxlPipeline}'s registration only. */
  protected PipelineAccess() {}

  /**
   * Registers the implementation; called once, by {@link SdxlPipeline}.
   *
   * @param access the implementation
   * @throws IllegalStateException if one is already registered
   */
  public static void register(PipelineAccess access) {
    checkState(instance == null, "PipelineAccess must be registered once but was already");
    instance = access;
  }

  /**
   * The registered implementation.
   *
   * @return it
   */
  public static PipelineAccess get() {
    if (instance == null) {
      try {
        Class.forName(SdxlPipeline.class.getName(), true, SdxlPipeline.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    checkState(instance != null, "SdxlPipeline must register PipelineAccess but did not");
    return instance;
  }

  /**
   * The text part of a request as diffusers' {@code encode_prompt} sees it.
   *
   * @param request the request
   * @param cfg whether classifier-free guidance is on (negatives only then)
   * @return the prompt request
   */
  public abstract PromptRequest promptRequest(SdxlRequest request, boolean cfg);

  /**
   * The UNet's {@code time_ids} for a request at its own image size ({@code [2B, 6]}, negative rows
   * first, under CFG; {@code [B, 6]} without).
   *
   * @param request the request
   * @param cfg whether classifier-free guidance is on
   * @return float32 on the CPU
   */
  public abstract Tensor addTimeIds(SdxlRequest request, boolean cfg);

  /**
   * The differentiable decode used by guidance: x̂0 = D(ẑ0 / scaling_factor), float32.
   *
   * @param pipe the pipeline
   * @param z0 the predicted clean latents
   * @return the images, not clamped
   */
  public abstract Tensor decodeForGuidance(SdxlPipeline pipe, Tensor z0);

  /**
   * The sampler's shared guidance step for some terms.
   *
   * @param pipe the pipeline
   * @param terms the guidance terms
   * @param mode the gradient mode
   * @return the step
   */
  public abstract GuidanceStep guidanceStep(
      SdxlPipeline pipe, List<GuidanceTerm> terms, GradientMode mode);

  /**
   * The UNet's noise prediction without classifier-free guidance, as the sampling loop computes it.
   *
   * @param pipe the pipeline
   * @param modelInput the scaled model input z_t
   * @param timestep the timestep (a scalar tensor)
   * @param promptEmbeds {@code [B, 77, D]}
   * @param pooled {@code [B, P]}
   * @param timeIds {@code [B, 6]}
   * @return ε̂, float32
   */
  public abstract Tensor predictNoise(
      SdxlPipeline pipe,
      Tensor modelInput,
      Tensor timestep,
      Tensor promptEmbeds,
      Tensor pooled,
      Tensor timeIds);
}
