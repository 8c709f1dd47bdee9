package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.nn.Fixtures;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every native object a forward pass creates is freed with the caller's scope. */
class UNetMemoryTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  private static void step(UNet2DConditionModel unet, boolean grad) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] in = UNetStructureTest.inputs(3, 2, 8, 8);
      if (grad) {
        Tensor sample = in[0].set_requires_grad(true);
        unet.forward(sample, in[1], in[2], in[3], in[4]).sum().backward();
        assertThat(sample.grad().defined()).isTrue();
      } else {
        try (NoGradGuard noGrad = new NoGradGuard()) {
          unet.forward(in[0], in[1], in[2], in[3], in[4]);
        }
      }
    }
  }

  @Test
  void forwardAndBackwardLeaveNoNativeObjectBehind() {
    try (UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), 8)) {
      step(unet, false);
      step(unet, true);
      long before = Pointer.totalCount();
      assertThat(before).as("weights are tracked native objects").isPositive();
      for (int i = 0; i < 10; i++) {
        step(unet, i % 2 == 0);
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(before);
    }
  }
}
