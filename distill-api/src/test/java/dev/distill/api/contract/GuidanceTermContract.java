package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link GuidanceTerm} honours, checked on a {@link FixedGuidanceContext}.
 *
 * <p>Checked: the loss is a finite 0-dim floating tensor; it has a finite, non-zero gradient with
 * respect to z_t; it is a pure function of the context (same context ⇒ same loss; the latents are
 * not modified); for per-sample terms (the default; see {@link #perSampleLoss()}) the gradient of
 * sample {@code i} in a batch equals its gradient alone, i.e. the loss is a sum over the batch;
 * strengths are finite and {@link GuidanceTerm#active} answers for every step; the name is not
 * blank; the subclass's {@link Covers} names the class it creates.
 */
public abstract class GuidanceTermContract {
  private PointerScope scope;

  /**
   * Creates the term under test.
   *
   * @return the term
   */
  protected abstract GuidanceTerm createTerm();

  /**
   * Creates the term for a batch of the contract's samples; the tests call this. Terms that hold
   * per-sample data indexed by batch position (one mode per sample, one target annotation per
   * sample) override it to build that data for {@code samples}; the default ignores them and calls
   * {@link #createTerm()}.
   *
   * @param samples the contract's sample indices, in batch order (sample i's z_t depends only on i)
   * @return the term
   */
  protected GuidanceTerm createTerm(List<Integer> samples) {
    return createTerm();
  }

  /**
   * The latent shape the term expects for a batch, e.g. {@code [n, 4, 8, 8]}.
   *
   * @param batch the batch size
   * @return the shape
   */
  protected abstract long[] latentShape(int batch);

  /**
   * The conditioning of sample {@code index} (default: class {@code index % 2}).
   *
   * @param index the sample index
   * @return the conditioning
   */
  protected Conditioning conditioning(int index) {
    return Conditioning.ofClass(index % 2);
  }

  /**
   * The differentiable decoder from ẑ0 to images (default: identity, a pixel-space model).
   *
   * @param predictedLatents ẑ0
   * @return x̂0
   */
  protected Tensor decode(Tensor predictedLatents) {
    return predictedLatents;
  }

  /** Whether the loss is a sum of independent per-sample losses (false for batch-coupled terms). */
  protected boolean perSampleLoss() {
    return true;
  }

  /** The relative tolerance of the per-sample gradient comparison. */
  protected double gradientTolerance() {
    return 1e-4;
  }

  /** The step the contract evaluates the term at: step 2 of 10, σ = 1.5, ᾱ = 1 / (1 + σ²). */
  protected StepInfo step() {
    double sigma = 1.5;
    return new StepInfo(2, 10, 700, sigma, 1 / (1 + sigma * sigma));
  }

  @BeforeEach
  final void openScope() {
    scope = new PointerScope();
  }

  @AfterEach
  final void closeScope() {
    scope.close();
  }

  /** z_t for samples {@code indices}: sample i's values depend only on i (seed 1000 + i). */
  private Tensor latents(List<Integer> indices) {
    long[] one = latentShape(1);
    Tensor[] rows =
        indices.stream().map(i -> ContractTensors.gaussian(1000 + i, one)).toArray(Tensor[]::new);
    return org.bytedeco
        .pytorch
        .global
        .torch
        .cat(new org.bytedeco.pytorch.TensorVector(rows), 0)
        .detach()
        .requires_grad_(true);
  }

  private FixedGuidanceContext context(List<Integer> indices, Tensor latents) {
    long[] one = latentShape(1);
    Tensor[] eps =
        indices.stream().map(i -> ContractTensors.gaussian(2000 + i, one)).toArray(Tensor[]::new);
    Tensor noise =
        org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(eps), 0);
    return new FixedGuidanceContext(
        step(), indices.stream().map(this::conditioning).toList(), latents, noise, this::decode);
  }

  private Tensor gradient(GuidanceTerm term, List<Integer> indices) {
    Tensor z = latents(indices);
    Tensor loss = term.loss(context(indices, z));
    loss.backward();
    return z.grad().clone();
  }

  @Test
  public void lossIsAFiniteScalar() {
    Tensor z = latents(List.of(0, 1));
    Tensor loss = createTerm(List.of(0, 1)).loss(context(List.of(0, 1), z));
    assertThat(loss.dim()).as("loss dims").isZero();
    assertThat(loss.is_floating_point()).isTrue();
    assertThat(ContractTensors.allFinite(loss)).isTrue();
  }

  @Test
  public void lossHasAFiniteNonZeroGradientWithRespectToTheLatents() {
    Tensor g = gradient(createTerm(List.of(0, 1)), List.of(0, 1));
    assertThat(ContractTensors.shape(g)).containsExactly(latentShape(2));
    assertThat(ContractTensors.allFinite(g)).isTrue();
    assertThat(g.abs().max().item_double()).isGreaterThan(0.0);
  }

  @Test
  public void lossIsAPureFunctionOfTheContext() {
    GuidanceTerm term = createTerm(List.of(0, 1));
    Tensor z = latents(List.of(0, 1));
    Tensor before = z.detach().clone();
    double a = term.loss(context(List.of(0, 1), z)).item_double();
    double b = term.loss(context(List.of(0, 1), z)).item_double();
    assertThat(b).isEqualTo(a);
    assertThat(ContractTensors.maxAbsDiff(before, z)).isZero();
  }

  @Test
  public void eachSampleGradientIsIndependentOfTheRestOfTheBatch() {
    assumeTrue(perSampleLoss(), "the term couples the samples of a batch");
    Tensor batch = gradient(createTerm(List.of(0, 1, 2)), List.of(0, 1, 2));
    for (int i : new int[] {0, 2}) {
      Tensor alone = gradient(createTerm(List.of(i)), List.of(i));
      double scale = Math.max(1e-12, alone.abs().max().item_double());
      assertThat(ContractTensors.maxAbsDiff(batch.narrow(0, i, 1), alone) / scale)
          .as("relative gradient difference of sample %s", i)
          .isLessThanOrEqualTo(gradientTolerance());
    }
  }

  @Test
  public void strengthIsFiniteAndActiveAnswersAtEveryStep() {
    GuidanceTerm term = createTerm();
    List<StepInfo> steps =
        IntStream.range(0, 10)
            .mapToObj(
                i ->
                    new StepInfo(
                        i,
                        10,
                        999 - 100 * i,
                        14.6 * (10 - i) / 10,
                        1 / (1 + Math.pow(14.6 * (10 - i) / 10, 2))))
            .toList();
    for (StepInfo s : steps) {
      assertThat(Double.isFinite(term.strength(s))).as("strength at %s", s).isTrue();
      term.active(s);
    }
  }

  @Test
  public void hasAName() {
    assertThat(createTerm().name()).isNotBlank();
  }

  @Test
  public void createsTheImplementationItCovers() {
    ContractCoverage.assertCovers(getClass(), createTerm());
    ContractCoverage.assertCovers(getClass(), createTerm(List.of(0, 1, 2)));
  }
}
