package dev.distill.core.guidance;

import dev.distill.api.GuidanceTerm;
import dev.distill.api.contract.ContractTensors;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.GuidanceTermContract;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Nested;

/**
 * Mode guidance honours the api's guidance contract in both variants: toward latent modes ẑ0 → m,
 * and in a feature space F(x̂0) → m. Sample i's mode depends only on i, so the per-sample gradient
 * rule holds; the modes, borrowed by the term, live in each test's scope.
 */
class ModeGuidanceContractTest {
  /** Modes (or target features) for the contract's samples, shape {@code [n, ...one]}. */
  private static Tensor modes(List<Integer> samples, long... one) {
    Tensor[] rows =
        samples.stream().map(i -> ContractTensors.gaussian(3000 + i, one)).toArray(Tensor[]::new);
    return torch.cat(new TensorVector(rows), 0);
  }

  @Nested
  @Covers(ModeGuidance.class)
  class TowardLatentModes extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return createTerm(List.of(0, 1));
    }

    @Override
    protected GuidanceTerm createTerm(List<Integer> samples) {
      return ModeGuidance.of(modes(samples, 1, 2, 4, 4), Schedules.linear(2.0, 0.5), 8);
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 2, 4, 4};
    }
  }

  @Nested
  @Covers(ModeGuidance.class)
  class TowardFeatureSpaceModes extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return createTerm(List.of(0, 1));
    }

    @Override
    protected GuidanceTerm createTerm(List<Integer> samples) {
      // F: a 2×2 average pool, flattened: [n, 2, 4, 4] → [n, 8], differentiable
      return ModeGuidance.inFeatureSpace(
          modes(samples, 1, 8),
          x -> torch.avg_pool2d(x, 2, 2).flatten(1, -1),
          Schedules.constant(1.5),
          8);
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 2, 4, 4};
    }
  }
}
