package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one guidance step every sampler calls: it evaluates the active {@link GuidanceTerm}s of a
 * step, checks them, takes a single autograd gradient of {@code Σ sᵢ(t)·Lᵢ} with respect to z_t and
 * returns the corrected model output {@code ε̂ + ∇}.
 *
 * <p>A sampler builds one {@code GuidanceStep} per run from the request's terms, gradient mode and
 * conditionings, and calls {@link #evaluate} once per step with the step, z_t and its denoiser (the
 * UNet with classifier-free guidance). Samplers own only their loop (scale_model_input, scheduler
 * step); the rules below are the same for all of them.
 *
 * <p><b>Rules, in order.</b> A term is skipped if it is not {@link GuidanceTerm#active} at the
 * step. Its strength s(t) must be finite; a term whose strength is exactly 0 is skipped (its loss
 * is never evaluated). If no term remains, the denoiser runs once in inference mode and its output
 * is returned unchanged, so zero guidance is exactly the unguided step. Otherwise z_t is made a
 * leaf requiring grad, the denoiser runs once (without autograd in {@link
 * GradientMode#DECODER_ONLY}, with its graph in {@link GradientMode#THROUGH_DENOISER}), each
 * remaining term's loss must be non-null, a scalar (numel 1; a shape like {@code [1]} is reshaped
 * to 0-dim), finite and dependent on z_t; one {@code torch.grad(Σ sᵢ·Lᵢ, z_t)} is taken and the
 * gradient must be defined and finite. Every failure throws {@link DistillException} naming the
 * term(s), the step index and timestep, and the bad value.
 *
 * <p><b>Parametrisation.</b> z_t is the variance-preserving latent the {@link
 * dev.distill.api.GuidanceContext} documents. With {@link PredictionType#EPSILON} (the default) the
 * denoiser returns ε̂, ẑ0 = (z_t − √(1−ᾱ)·ε̂)/√ᾱ and the corrected output is ε̂ + ∇. With {@link
 * PredictionType#V_PREDICTION} the denoiser returns v̂; the context's ε̂ is √ᾱ·v̂ + √(1−ᾱ)·z_t, ẑ0
 * = √ᾱ·z_t − √(1−ᾱ)·v̂ and the corrected output is v̂ + ∇/√ᾱ (the same change of ε̂). A sampler may
 * replace the ẑ0 formula (e.g. by its scheduler's, which may clip) with {@link
 * Builder#predictClean}; x̂0 = decode(ẑ0), the identity unless {@link Builder#decode} is set. ẑ0
 * and x̂0 are computed lazily by a package-private {@code StepContext}, only if a term asks.
 *
 * <p>Immutable; {@link #evaluate} must be called on the sampling thread (tensor scopes are
 * thread-confined) and may be called from several runs in turn.
 *
 * @since 0.1.0
 */
public final class GuidanceStep {
  private final List<GuidanceTerm> terms;
  private final GradientMode mode;
  private final List<Conditioning> conditionings;
  private final PredictionType predictionType;
  private final BinaryOperator<Tensor> predictClean;
  private final UnaryOperator<Tensor> decode;

  private GuidanceStep(Builder b) {
    this.terms = b.terms;
    this.mode = b.mode;
    this.conditionings = b.conditionings;
    this.predictionType = b.predictionType;
    this.predictClean = b.predictClean;
    this.decode = b.decode;
  }

  /**
   * A builder for the guidance of one run.
   *
   * @param terms the request's guidance terms (possibly empty)
   * @param mode how far back the gradient flows
   * @param conditionings the conditioning of each sample, in batch order
   * @return a builder with ε-prediction, the VP ẑ0 formula and the identity decoder
   * @throws NullPointerException if an argument or a term is null
   */
  public static Builder builder(
      List<GuidanceTerm> terms, GradientMode mode, List<Conditioning> conditionings) {
    return new Builder(terms, mode, conditionings);
  }

  /** The terms of the run, in request order. */
  public List<GuidanceTerm> terms() {
    return terms;
  }

  /**
   * Evaluates the guidance of one step.
   *
   * @param info the step
   * @param latents z_t, the variance-preserving latent {@code [N, C, h, w]}, float32 (not modified;
   *     a detached leaf copy requiring grad is what the terms see)
   * @param denoiser maps z_t to the model output (ε̂ or v̂ after classifier-free guidance); called
   *     exactly once, in the autograd mode this step needs
   * @return the model output, the gradient (if a term contributed) and the corrected model output,
   *     all detached and owned by the caller's current scope
   * @throws DistillException if a term's strength, loss or the gradient breaks a rule (see the
   *     class doc), naming the term, the step and the bad value
   * @throws NullPointerException if an argument is null
   */
  public Result evaluate(StepInfo info, Tensor latents, UnaryOperator<Tensor> denoiser) {
    checkNotNull(info, "info");
    checkNotNull(latents, "latents");
    checkNotNull(denoiser, "denoiser");
    List<GuidanceTerm> contributing = new ArrayList<>();
    List<Double> strengths = new ArrayList<>();
    for (GuidanceTerm term : terms) {
      if (!term.active(info)) {
        continue;
      }
      double s = term.strength(info);
      if (!Double.isFinite(s)) {
        throw failure(term.name(), info, "strength must be finite but was " + s);
      }
      if (s != 0.0) {
        contributing.add(term);
        strengths.add(s);
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      if (contributing.isEmpty()) {
        Tensor out;
        // inference mode: no autograd bookkeeping; the output only feeds the scheduler step
        try (InferenceMode g = new InferenceMode()) {
          out = checkNotNull(denoiser.apply(latents), "denoiser output");
        }
        return new Result(scope.keep(out), null, out);
      }
      try (AutoGradMode grad = new AutoGradMode(true)) {
        return guided(scope, info, latents, denoiser, contributing, strengths);
      }
    }
  }

  private Result guided(
      TensorScope scope,
      StepInfo info,
      Tensor latents,
      UnaryOperator<Tensor> denoiser,
      List<GuidanceTerm> contributing,
      List<Double> strengths) {
    Tensor zt = latents.detach().requires_grad_(true);
    Tensor out;
    if (mode == GradientMode.THROUGH_DENOISER) {
      out = denoiser.apply(zt);
    } else {
      try (NoGradGuard g = new NoGradGuard()) {
        out = denoiser.apply(zt);
      }
    }
    checkNotNull(out, "denoiser output");
    double ab = info.alphaBar();
    Tensor eps =
        predictionType == PredictionType.V_PREDICTION
            ? out.mul(Tensors.scalar(Math.sqrt(ab))).add(zt.mul(Tensors.scalar(Math.sqrt(1 - ab))))
            : out;
    UnaryOperator<Tensor> clean =
        predictClean != null ? x -> predictClean.apply(x, out) : x -> vpPredictClean(x, out, ab);
    StepContext ctx = new StepContext(info, conditionings, zt, eps, clean, decode);
    Tensor total = null;
    for (int i = 0; i < contributing.size(); i++) {
      GuidanceTerm term = contributing.get(i);
      Tensor loss = checkedLoss(term, term.loss(ctx), info);
      Tensor weighted = loss.mul(Tensors.scalar(strengths.get(i)));
      total = total == null ? weighted : total.add(weighted);
    }
    TensorVector grads =
        torch.grad(
            new TensorVector(total),
            new TensorVector(zt),
            new TensorVector(),
            new BoolOptional(false),
            false,
            true);
    Tensor grad = grads.get(0);
    String names = names(contributing);
    if (!grad.defined()) {
      throw failure(
          names, info, "gradient must be defined but the loss does not reach z_t (undefined)");
    }
    long bad = torch.isfinite(grad).logical_not().sum().item_long();
    if (bad > 0) {
      String kind = grad.isnan().any().item_bool() ? "NaN" : "infinite";
      throw failure(
          names,
          info,
          "gradient must be finite but had " + bad + " non-finite values (" + kind + ")");
    }
    Tensor delta =
        predictionType == PredictionType.V_PREDICTION
            ? grad.mul(Tensors.scalar(1 / Math.sqrt(ab)))
            : grad;
    Tensor base = out.detach();
    Tensor corrected = base.add(delta);
    return new Result(scope.keep(base), scope.keep(grad.detach()), scope.keep(corrected));
  }

  /** The loss as a 0-dim float32 tensor, or a {@link DistillException} naming the broken rule. */
  private static Tensor checkedLoss(GuidanceTerm term, Tensor loss, StepInfo info) {
    if (loss == null) {
      throw failure(term.name(), info, "loss must not be null but was null");
    }
    if (loss.numel() != 1) {
      throw failure(
          term.name(),
          info,
          "loss must be a scalar (numel 1) but had shape " + Arrays.toString(Tensors.shape(loss)));
    }
    Tensor scalar = loss.reshape(new long[0]).to(ScalarType.Float);
    double value = scalar.item_double();
    if (!Double.isFinite(value)) {
      throw failure(term.name(), info, "loss must be finite but was " + value);
    }
    if (!scalar.requires_grad()) {
      throw failure(
          term.name(),
          info,
          "loss must depend on z_t (build it from ctx.latents(), predictedLatents() or"
              + " predictedImages()) but does not require grad (value "
              + value
              + ")");
    }
    return scalar;
  }

  private static DistillException failure(String who, StepInfo info, String what) {
    return new DistillException(
        "guidance "
            + who
            + " at step "
            + info.index()
            + " of "
            + info.numSteps()
            + " (timestep "
            + info.timestep()
            + "): "
            + what);
  }

  private static String names(List<GuidanceTerm> terms) {
    List<String> out = new ArrayList<>();
    terms.forEach(t -> out.add(t.name()));
    return out.size() == 1 ? out.get(0) : out.toString();
  }

  /** The variance-preserving ẑ0 of z_t and the model output at signal fraction {@code ab}. */
  private Tensor vpPredictClean(Tensor zt, Tensor out, double ab) {
    if (predictionType == PredictionType.V_PREDICTION) {
      return zt.mul(Tensors.scalar(Math.sqrt(ab))).sub(out.mul(Tensors.scalar(Math.sqrt(1 - ab))));
    }
    return zt.sub(out.mul(Tensors.scalar(Math.sqrt(1 - ab)))).div(Tensors.scalar(Math.sqrt(ab)));
  }

  /**
   * The outcome of one step's guidance.
   *
   * <p>All tensors are detached and owned by the scope that was current when {@link #evaluate} was
   * called.
   */
  public static final class Result {
    private final Tensor modelOutput;
    private final Tensor gradient;
    private final Tensor correctedOutput;

    private Result(Tensor modelOutput, Tensor gradient, Tensor correctedOutput) {
      this.modelOutput = modelOutput;
      this.gradient = gradient;
      this.correctedOutput = correctedOutput;
    }

    /** The denoiser's output before the correction. */
    public Tensor modelOutput() {
      return modelOutput;
    }

    /**
     * The gradient ∇<sub>z_t</sub> Σ sᵢ·Lᵢ, shaped like z_t; empty if no term contributed at this
     * step.
     */
    public Optional<Tensor> gradient() {
      return Optional.ofNullable(gradient);
    }

    /**
     * The corrected model output the scheduler steps with: ε̂ + ∇ (ε-prediction) or v̂ + ∇/√ᾱ
     * (v-prediction); the model output itself if no term contributed.
     */
    public Tensor correctedOutput() {
      return correctedOutput;
    }
  }

  /**
   * Builds a {@link GuidanceStep}.
   *
   * <p>Setters validate at once; not thread-safe.
   */
  public static final class Builder {
    private final List<GuidanceTerm> terms;
    private final GradientMode mode;
    private final List<Conditioning> conditionings;
    private PredictionType predictionType = PredictionType.EPSILON;
    private BinaryOperator<Tensor> predictClean;
    private UnaryOperator<Tensor> decode = UnaryOperator.identity();

    private Builder(List<GuidanceTerm> terms, GradientMode mode, List<Conditioning> conditionings) {
      this.terms = List.copyOf(checkNotNull(terms, "terms"));
      this.mode = checkNotNull(mode, "mode");
      this.conditionings = List.copyOf(checkNotNull(conditionings, "conditionings"));
    }

    /**
     * What the denoiser predicts; the default is {@link PredictionType#EPSILON}.
     *
     * @param type {@code EPSILON} or {@code V_PREDICTION}
     * @return this builder
     * @throws IllegalArgumentException for {@code SAMPLE}
     */
    public Builder predictionType(PredictionType type) {
      checkNotNull(type, "type");
      checkArgument(
          type != PredictionType.SAMPLE,
          "predictionType must be EPSILON or V_PREDICTION but was %s",
          type);
      this.predictionType = type;
      return this;
    }

    /**
     * Replaces the ẑ0 formula (for instance by a scheduler's, which may clip); it must be
     * differentiable in z_t.
     *
     * @param predictClean maps (z_t, model output) to ẑ0
     * @return this builder
     */
    public Builder predictClean(BinaryOperator<Tensor> predictClean) {
      this.predictClean = checkNotNull(predictClean, "predictClean");
      return this;
    }

    /**
     * Sets the decoder that maps ẑ0 to x̂0 (differentiably); the default is the identity (pixel
     * space).
     *
     * @param decode the decoder
     * @return this builder
     */
    public Builder decode(UnaryOperator<Tensor> decode) {
      this.decode = checkNotNull(decode, "decode");
      return this;
    }

    /**
     * Builds the step.
     *
     * @return the guidance step
     */
    public GuidanceStep build() {
      return new GuidanceStep(this);
    }
  }
}
