package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * The outputs of one {@link ClipTextModel#forward} call (transformers' {@code
 * BaseModelOutputWithPooling} / {@code CLIPTextModelOutput} with {@code
 * output_hidden_states=True}).
 *
 * <p>Shapes for input ids {@code [B, L]} and hidden size {@code H}: every hidden state and {@link
 * #lastHiddenState()} {@code [B, L, H]}, {@link #pooledOutput()} {@code [B, H]}, {@link
 * #textEmbeds()} {@code [B, projection_dim]}; dtype and device are the model's. The tensors belong
 * to the {@link dev.distill.core.tensor.TensorScope} that was innermost when {@code forward} was
 * called (or to the caller, who must close them, if there was none). Immutable holder; the tensors
 * must not be modified.
 *
 * @since 0.1.0
 */
public final class ClipTextOutput {
  private final List<Tensor> hiddenStates;
  private final Tensor lastHiddenState;
  private final Tensor pooledOutput;
  private final Tensor textEmbeds;

  ClipTextOutput(
      List<Tensor> hiddenStates, Tensor lastHiddenState, Tensor pooledOutput, Tensor textEmbeds) {
    this.hiddenStates = List.copyOf(hiddenStates);
    this.lastHiddenState = lastHiddenState;
    this.pooledOutput = pooledOutput;
    this.textEmbeds = textEmbeds;
  }

  /**
   * All hidden states: index 0 is the embedding output, index {@code i} the output of encoder layer
   * {@code i} (no final LayerNorm); {@code num_hidden_layers + 1} entries.
   */
  public List<Tensor> hiddenStates() {
    return hiddenStates;
  }

  /**
   * One hidden state with Python indexing ({@code -1} = last layer, {@code -2} = penultimate).
   *
   * @param index an index in {@code [-n, n)}
   * @return the hidden state
   * @throws IllegalArgumentException if out of range
   */
  public Tensor hiddenState(int index) {
    int n = hiddenStates.size();
    checkArgument(index >= -n && index < n, "index must be in [%s, %s) but was %s", -n, n, index);
    return hiddenStates.get(index < 0 ? n + index : index);
  }

  /** {@code hidden_states[-2]}: the penultimate layer's output, what SDXL conditions on. */
  public Tensor penultimate() {
    return hiddenState(-2);
  }

  /** {@code final_layer_norm(hidden_states[-1])}. */
  public Tensor lastHiddenState() {
    return lastHiddenState;
  }

  /** The row of {@link #lastHiddenState()} at each sequence's end-of-text position. */
  public Tensor pooledOutput() {
    return pooledOutput;
  }

  /** {@code text_projection(pooledOutput)}, present only for models with a projection. */
  public Optional<Tensor> textEmbeds() {
    return Optional.ofNullable(textEmbeds);
  }
}
