package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import dev.distill.sdxl.vae.AutoencoderKL;
import java.nio.file.Path;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The UNet and the VAE decoder are differentiable: a task loss on the decoded x̂0 backpropagates to
 * the latents exactly as in PyTorch ({@code guidance_grad.safetensors}, Euler parameterisation).
 */
class GuidanceGradientTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void lossGradientThroughDecoderAndUNetMatchesPyTorch() throws Exception {
    Path root = Fixtures.sdxlTiny();
    try (TensorScope scope = TensorScope.open();
        Safetensors g = Safetensors.open(root.resolve("cases/guidance_grad.safetensors"));
        UNet2DConditionModel unet =
            UNet2DConditionModel.load(root.resolve("unet"), ScalarType.Float, new Device("cpu"));
        AutoencoderKL vae =
            AutoencoderKL.load(root.resolve("vae"), ScalarType.Float, new Device("cpu"))) {
      double sigma = g.tensor("sigma").item_double();
      for (boolean throughUnet : new boolean[] {true, false}) {
        try (TensorScope step = TensorScope.open()) {
          Tensor z = g.tensor("euler.z_t").clone().set_requires_grad(true);
          Tensor in = z.div(Tensors.scalar(Math.sqrt(sigma * sigma + 1)));
          Tensor eps =
              unet.forward(
                  in,
                  g.tensor("timestep"),
                  g.tensor("prompt_embeds"),
                  g.tensor("pooled_prompt_embeds"),
                  g.tensor("time_ids"));
          if (throughUnet) {
            assertThat(Tensors.maxAbsDiff(eps, g.tensor("euler.eps"))).isLessThan(5e-5);
          } else {
            eps = eps.detach();
          }
          Tensor x0 = z.sub(eps.mul(Tensors.scalar(sigma)));
          Tensor image = vae.decode(x0.div(Tensors.scalar(vae.scalingFactor())));
          Tensor feat = image.mean(new long[] {2, 3}, false, new ScalarTypeOptional());
          Tensor logits =
              torch.linear(
                  feat,
                  g.tensor("classifier.weight"),
                  new TensorOptional(g.tensor("classifier.bias")));
          long target = g.tensor("classifier.target").item_long();
          Tensor loss = torch.log_softmax(logits, 1).select(1, target).neg().mean();
          assertThat(Math.abs(loss.item_double() - g.tensor("euler.loss").item_double()))
              .isLessThan(1e-5);
          loss.backward();
          Tensor grad = z.grad();
          Tensor expected =
              g.tensor(throughUnet ? "euler.grad_through_unet" : "euler.grad_eps_detached");
          double maxRef = expected.abs().max().item_double();
          double err = Tensors.maxAbsDiff(grad, expected);
          System.out.printf(
              "[guidance grad %s] max|err| %.3e, max|ref| %.3e, relative %.2e%n",
              throughUnet ? "through unet" : "eps detached", err, maxRef, err / maxRef);
          assertThat(err).isLessThanOrEqualTo(1e-4 * maxRef);
        }
      }
    }
  }
}
