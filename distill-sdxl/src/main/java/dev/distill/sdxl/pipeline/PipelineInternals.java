package dev.distill.sdxl.pipeline;

import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.core.guidance.GuidanceStep;
import dev.distill.sdxl.internal.PipelineAccess;
import dev.distill.sdxl.text.PromptRequest;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** The {@link PipelineAccess} bridge over this package's internals; registered by SdxlPipeline. */
final class PipelineInternals extends PipelineAccess {
  @Override
  public PromptRequest promptRequest(SdxlRequest request, boolean cfg) {
    return SdxlPipeline.promptRequest(request, cfg);
  }

  @Override
  public Tensor addTimeIds(SdxlRequest request, boolean cfg) {
    return SdxlPipeline.addTimeIds(request, request.height, request.width, cfg);
  }

  @Override
  public Tensor decodeForGuidance(SdxlPipeline pipe, Tensor z0) {
    return pipe.decodeForGuidance(z0);
  }

  @Override
  public GuidanceStep guidanceStep(SdxlPipeline pipe, List<GuidanceTerm> terms, GradientMode mode) {
    return DenoiseLoop.guidanceStep(pipe, new DenoiseLoop.Guidance(terms, mode, List.of()));
  }

  @Override
  public Tensor predictNoise(
      SdxlPipeline pipe,
      Tensor modelInput,
      Tensor timestep,
      Tensor promptEmbeds,
      Tensor pooled,
      Tensor timeIds) {
    DenoiseLoop.TextConditioning text =
        DenoiseLoop.TextConditioning.of(pipe.unet(), promptEmbeds, pooled, timeIds, false);
    return DenoiseLoop.predictNoise(pipe, modelInput, timestep, text, 1.0, 0.0);
  }
}
