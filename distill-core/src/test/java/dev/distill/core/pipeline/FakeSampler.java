package dev.distill.core.pipeline;

import dev.distill.api.Encoder;
import dev.distill.api.ImageSize;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A deterministic stand-in for a diffusion sampler: image i is tanh of noise from seed i, or the
 * init latents themselves for img2img. Records every request. Can be told to fail after N calls (a
 * simulated kill).
 */
class FakeSampler implements Sampler {
  final List<SampleRequest> requests = new ArrayList<>();

  /** The shape of each request's init latents, recorded while they are alive. */
  final List<long[]> initShapes = new ArrayList<>();

  private final long[] shape;
  private int failAfterCalls = Integer.MAX_VALUE;
  private int calls;

  FakeSampler(long... imageShape) {
    this.shape = imageShape;
  }

  FakeSampler failAfter(int calls) {
    this.failAfterCalls = calls;
    return this;
  }

  @Override
  public SampleResult sample(SampleRequest request, ProgressListener listener) {
    if (calls++ >= failAfterCalls) {
      throw new IllegalStateException("simulated kill");
    }
    requests.add(request);
    request
        .init()
        .ifPresent(i -> initShapes.add(dev.distill.core.tensor.Tensors.shape(i.latents())));
    try (TensorScope scope = TensorScope.open()) {
      Tensor images;
      if (request.init().isPresent()) {
        images = request.init().get().latents().clone();
      } else {
        TensorVector parts = new TensorVector();
        for (long seed : request.seeds()) {
          long h = request.height() > 0 ? request.height() : shape[1];
          long w = request.width() > 0 ? request.width() : shape[2];
          parts.push_back(torch.tanh(Rng.normal(seed, 1, shape[0], h, w)));
        }
        images = torch.cat(parts, 0);
      }
      return new SampleResult(scope.detach(images.clone()), scope.detach(images.clone()));
    }
  }

  @Override
  public Encoder latentEncoder() {
    return new Encoder() {
      @Override
      public Tensor encode(Tensor images) {
        return images.clone();
      }

      @Override
      public String id() {
        return "identity";
      }
    };
  }

  @Override
  public boolean textConditioned() {
    return false;
  }

  @Override
  public String modelId() {
    return "fake";
  }

  @Override
  public ImageSize imageSize() {
    return ImageSize.of((int) shape[1], (int) shape[2]);
  }

  @Override
  public int imageChannels() {
    return (int) shape[0];
  }
}
