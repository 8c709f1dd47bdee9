package dev.distill.api.contract;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.DistilledSet;
import dev.distill.api.Encoder;
import dev.distill.api.EvalReport;
import dev.distill.api.Evaluator;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.Matcher;
import dev.distill.api.MetricSummary;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.StepInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Minimal reference implementations of the api interfaces, used to check that the contract tests
 * are satisfiable (and as examples of what they demand). Pixel space, images {@code [N, 1, 4, 4]}.
 */
final class ToyModels {
  private ToyModels() {}

  static final long[] IMAGE = {1, 4, 4};

  /**
   * The identity encoder of a pixel-space model, with a 2×2 average pool to show a shape change.
   */
  static final class PoolEncoder implements Encoder {
    @Override
    public Tensor encode(Tensor images) {
      if (images.dim() != 4) {
        throw new IllegalArgumentException(
            "images must have shape [N, C, H, W] but had "
                + Arrays.toString(ContractTensors.shape(images)));
      }
      return torch.avg_pool2d(images, 2, 2);
    }

    @Override
    public String id() {
      return "toy-pool-2x2";
    }
  }

  /** Cross-entropy with hard labels. */
  static final class HardLabelMatcher implements Matcher {
    @Override
    public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
      if (studentLogits.dim() != 2
          || labels.dim() != 1
          || labels.size(0) != studentLogits.size(0)) {
        throw new IllegalArgumentException(
            "studentLogits must be [B, K] and labels [B] but were "
                + Arrays.toString(ContractTensors.shape(studentLogits))
                + " and "
                + Arrays.toString(ContractTensors.shape(labels)));
      }
      return torch.nll_loss(torch.log_softmax(studentLogits, 1), labels);
    }

    @Override
    public String name() {
      return "hard";
    }
  }

  /** Pulls x̂0 of sample i towards the value {@code 0.1 · classId}. */
  static final class PullToClassValue implements GuidanceTerm {
    @Override
    public Tensor loss(GuidanceContext ctx) {
      Tensor x = ctx.predictedImages();
      List<Tensor> losses = new ArrayList<>();
      for (int i = 0; i < ctx.conditionings().size(); i++) {
        double target = 0.1 * Math.max(0, ctx.conditionings().get(i).classId());
        losses.add(x.get(i).sub(new Scalar(target)).square().sum());
      }
      return torch.stack(new TensorVector(losses.toArray(new Tensor[0]))).sum();
    }

    @Override
    public double strength(StepInfo step) {
      return 0.5 * (1 - step.progress());
    }
  }

  /**
   * A DDIM-like sampler around the fixed "denoiser" ε̂(z, c) = 0.3·z + 0.05·(c + 1): per-sample
   * Gaussian noise from {@code new Random(seed)}, ᾱ rising linearly from 0.1 to 0.9, guidance ε̂ ←
   * ε̂ + ∇ Σ s·L (one gradient per step), NaN gradients raise {@link DistillException}.
   */
  static final class ToySampler implements Sampler {
    @Override
    public SampleResult sample(SampleRequest request, ProgressListener listener) {
      request.requireNoLayouts("ToySampler");
      int n = request.batchSize();
      int steps = request.numSteps();
      checkImageSize(
          ImageSize.of(
              request.height() > 0 ? request.height() : (int) IMAGE[1],
              request.width() > 0 ? request.width() : (int) IMAGE[2]));
      try (PointerScope scope = new PointerScope()) {
        Tensor[] noise = new Tensor[n];
        float[] classes = new float[n];
        for (int i = 0; i < n; i++) {
          noise[i] =
              ContractTensors.gaussian(request.seeds().get(i), 1, IMAGE[0], IMAGE[1], IMAGE[2]);
          classes[i] = Math.max(0, request.conditionings().get(i).classId());
        }
        Tensor z = torch.cat(new TensorVector(noise), 0);
        Tensor cls = ContractTensors.fromFloats(classes, n, 1, 1, 1);
        for (int k = 0; k < steps; k++) {
          double ab = 0.1 + 0.8 * k / steps;
          double abNext = k + 1 < steps ? 0.1 + 0.8 * (k + 1) / steps : 1.0;
          double sigma = Math.sqrt((1 - ab) / ab);
          StepInfo step = new StepInfo(k, steps, 999.0 * (1 - (double) k / steps), sigma, ab);
          Tensor eps = z.mul(new Scalar(0.3)).add(cls.add(new Scalar(1.0)).mul(new Scalar(0.05)));
          List<GuidanceTerm> active =
              request.guidanceTerms().stream().filter(t -> t.active(step)).toList();
          if (!active.isEmpty()) {
            Tensor zg = z.detach().clone().requires_grad_(true);
            FixedGuidanceContext ctx =
                new FixedGuidanceContext(step, request.conditionings(), zg, eps.detach(), x -> x);
            Tensor total = null;
            for (GuidanceTerm t : active) {
              Tensor l = t.loss(ctx).mul(new Scalar(t.strength(step)));
              total = total == null ? l : total.add(l);
            }
            total.backward();
            Tensor grad = zg.grad();
            if (!ContractTensors.allFinite(grad)) {
              throw new DistillException(
                  "guidance gradient is not finite at step " + k + " of " + steps);
            }
            eps = eps.add(grad);
          }
          Tensor z0 = z.sub(eps.mul(new Scalar(Math.sqrt(1 - ab)))).div(new Scalar(Math.sqrt(ab)));
          z = z0.mul(new Scalar(Math.sqrt(abNext))).add(eps.mul(new Scalar(Math.sqrt(1 - abNext))));
          listener.onProgress(new Progress("sample", k + 1, steps, ""));
        }
        Tensor images =
            z.clamp(new ScalarOptional(new Scalar(-1.0)), new ScalarOptional(new Scalar(1.0)))
                .clone();
        Tensor latents = z.clone();
        ContractTensors.detach(scope, images);
        ContractTensors.detach(scope, latents);
        return new SampleResult(images, latents);
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
      return "toy-ddim";
    }

    @Override
    public ImageSize imageSize() {
      return ImageSize.of((int) IMAGE[1], (int) IMAGE[2]);
    }

    @Override
    public int imageChannels() {
      return (int) IMAGE[0];
    }
  }

  /**
   * A linear probe as a student: weights {@code [16, 3]} from a fixed seed, {@link #EPOCHS} full-
   * batch gradient steps with the matcher's loss, then top-1 accuracy (percent) on a fixed real set
   * of 3 classes (brightness by class, as in {@link EvaluatorContract}'s sets).
   */
  static final class LinearProbeEvaluator implements Evaluator {
    static final int CLASSES = 3;
    static final int EPOCHS = 5;

    @Override
    public EvalReport evaluate(DistilledSet set, Matcher matcher, ProgressListener listener) {
      Objects.requireNonNull(set, "set");
      Objects.requireNonNull(matcher, "matcher");
      Objects.requireNonNull(listener, "listener");
      long[] s = ContractTensors.shape(set.images());
      if (s.length != 4 || s[1] != IMAGE[0] || s[2] != IMAGE[1] || s[3] != IMAGE[2]) {
        throw new IllegalArgumentException(
            "set images must have shape [*, 1, 4, 4] but had " + Arrays.toString(s));
      }
      if (set.classNames().size() != CLASSES) {
        throw new IllegalArgumentException(
            "set must have " + CLASSES + " classes but had " + set.classNames().size());
      }
      long start = System.nanoTime();
      double top1;
      try (PointerScope scope = new PointerScope()) {
        int n = set.size();
        Tensor x = set.images().detach().reshape(n, 16);
        Tensor y = longs(set.labels());
        Tensor w =
            ContractTensors.gaussian(7, 16, CLASSES).mul(new Scalar(0.01)).requires_grad_(true);
        for (int e = 0; e < EPOCHS; e++) {
          try (PointerScope step = new PointerScope()) {
            matcher.loss(x.matmul(w), set.images(), y).backward();
            try (NoGradGuard g = new NoGradGuard()) {
              w.sub_(w.grad().mul(new Scalar(0.5)));
              w.grad().zero_();
            }
          }
          listener.onProgress(new Progress("train", e + 1, EPOCHS, ""));
        }
        List<Integer> realLabels = new ArrayList<>();
        Tensor[] rows = new Tensor[4 * CLASSES];
        for (int i = 0; i < rows.length; i++) {
          realLabels.add(i % CLASSES);
          double brightness = 0.8 * (i % CLASSES) - 0.8;
          rows[i] =
              ContractTensors.gaussian(500 + i, 1, 16)
                  .mul(new Scalar(0.3))
                  .add(new Scalar(brightness))
                  .tanh();
        }
        Tensor predicted;
        try (NoGradGuard g = new NoGradGuard()) {
          predicted =
              torch.cat(new TensorVector(rows), 0).matmul(w).argmax(new LongOptional(1), false);
        }
        top1 = 100.0 * predicted.eq(longs(realLabels)).sum().item_long() / rows.length;
      }
      listener.onProgress(new Progress("evaluate", 1, 1, ""));
      double seconds = (System.nanoTime() - start) / 1e9;
      return new EvalReport(
          "toy-linear-probe",
          matcher.name(),
          Map.of(
              "top1", new MetricSummary(List.of(top1)),
              "seconds", new MetricSummary(List.of(seconds))),
          Map.of("epochs", Integer.toString(EPOCHS), "lr", "0.5", "seed", "7"));
    }

    private static Tensor longs(List<Integer> values) {
      long[] l = values.stream().mapToLong(Integer::longValue).toArray();
      try (LongPointer p = new LongPointer(l)) {
        return torch
            .from_blob(p, new long[] {l.length}, new TensorOptions(ScalarType.Long))
            .clone();
      }
    }
  }

  /** Conditioning for the toy models: class {@code index % 3}. */
  static Conditioning conditioning(int index) {
    return Conditioning.ofClass(index % 3);
  }
}
