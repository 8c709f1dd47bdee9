package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.StepInfo;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mode-Guided's number of modes per class: K = IPC by default (MGD³), K = round(fraction·IPC) with
 * {@link ModeGuided#withModeFraction}. The modes each image is pulled toward are read back from the
 * guidance term's gradient at ẑ0 = 0 (∇ ½‖ẑ0 − m‖² = −m).
 */
class ModeFractionTest {
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages data;

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    data = FaultRuns.data();
  }

  @AfterEach
  void tearDown() {
    data.close();
    scope.close();
  }

  /** Records, per generated image (in order), the flattened mode its guidance pulls toward. */
  private static final class ModeRecorder extends FakeSampler {
    final List<float[]> modes = new ArrayList<>();

    ModeRecorder() {
      super(1, 8, 8);
    }

    @Override
    public SampleResult sample(SampleRequest request, ProgressListener listener) {
      try (TensorScope s = TensorScope.open()) {
        int count = request.seeds().size();
        Tensor z0 = torch.zeros(count, 1, 8, 8).set_requires_grad(true);
        List<GuidanceTerm> terms = request.guidanceTerms();
        assertThat(terms).hasSize(1);
        Tensor loss = terms.get(0).loss(context(z0, count));
        loss.backward();
        Tensor m = z0.grad().neg().reshape(count, -1).contiguous();
        for (int i = 0; i < count; i++) {
          modes.add(Tensors.toFloats(m.select(0, i)));
        }
      }
      return super.sample(request, listener);
    }

    private static GuidanceContext context(Tensor z0, int count) {
      return new GuidanceContext() {
        @Override
        public StepInfo step() {
          return new StepInfo(0, 5, 999, 1, 0.5);
        }

        @Override
        public List<Conditioning> conditionings() {
          return List.of();
        }

        @Override
        public Tensor latents() {
          return z0;
        }

        @Override
        public Tensor noisePrediction() {
          return z0;
        }

        @Override
        public Tensor predictedLatents() {
          return z0;
        }

        @Override
        public Tensor predictedImages() {
          return z0;
        }
      };
    }
  }

  private List<float[]> modesOf(ModeGuided method, int ipc, String dir) throws Exception {
    ModeRecorder sampler = new ModeRecorder();
    try (DistillResult r =
        Distill.from(data)
            .sampler(sampler)
            .method(method)
            .ipc(ipc)
            .seed(11)
            .numSteps(5)
            .batchSize(2)
            .run(tmp.resolve(dir))) {
      assertThat(r.set().size()).isEqualTo(4 * ipc);
    }
    return sampler.modes;
  }

  @Test
  void oneModePerClassIsTheClassMeanAndEveryImageOfTheClassIsPulledTowardIt() throws Exception {
    List<float[]> modes = modesOf(ModeGuided.defaults().withModeFraction(1.0 / 3), 3, "k1");
    assertThat(modes).hasSize(12);
    for (int c = 0; c < 4; c++) {
      float[] mean;
      try (TensorScope s = TensorScope.open()) {
        List<Tensor> rows = new ArrayList<>();
        for (int i = c; i < 48; i += 4) {
          rows.add(data.images().select(0, i).unsqueeze(0));
        }
        mean =
            Tensors.toFloats(
                torch.cat(new TensorVector(rows.toArray(new Tensor[0])), 0).mean(new long[] {0}));
      }
      for (int j = 0; j < 3; j++) {
        float[] m = modes.get(3 * c + j);
        for (int p = 0; p < mean.length; p++) {
          assertThat((double) m[p])
              .as("class %s image %s pixel %s", c, j, p)
              .isCloseTo(mean[p], org.assertj.core.api.Assertions.within(1e-5));
        }
      }
    }
  }

  @Test
  void byDefaultEachImageOfAClassHasItsOwnMode() throws Exception {
    List<float[]> modes = modesOf(ModeGuided.defaults(), 3, "k3");
    for (int c = 0; c < 4; c++) {
      for (int a = 0; a < 3; a++) {
        for (int b = a + 1; b < 3; b++) {
          assertThat(modes.get(3 * c + a))
              .as("class %s images %s and %s", c, a, b)
              .isNotEqualTo(modes.get(3 * c + b));
        }
      }
    }
  }

  @Test
  void halfAsManyModesAsImagesAreSharedInTurn() throws Exception {
    List<float[]> modes = modesOf(ModeGuided.defaults().withModeFraction(0.5), 4, "k2");
    for (int c = 0; c < 4; c++) {
      int base = 4 * c;
      assertThat(modes.get(base)).isEqualTo(modes.get(base + 2));
      assertThat(modes.get(base + 1)).isEqualTo(modes.get(base + 3));
      assertThat(modes.get(base)).isNotEqualTo(modes.get(base + 1));
    }
  }

  @Test
  void aFractionOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> ModeGuided.defaults().withModeFraction(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modeFraction must be in (0, 1] but was 0.0");
    assertThatThrownBy(() -> ModeGuided.defaults().withModeFraction(1.5))
        .hasMessageContaining("but was 1.5");
  }
}
