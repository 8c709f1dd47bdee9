package dev.distill.core.prompt;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A live image captioner (a VLM, BLIP, a service): the plug-in behind {@link
 * PromptSource#captioner(Captioner, int)}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Captioner {
  /**
   * Describes some images of one class.
   *
   * @param className the class's display name
   * @param images {@code [n, C, H, W]} float32 CPU in {@code [-1, 1]} (borrowed)
   * @return at least one prompt (typically one per image)
   */
  List<String> caption(String className, Tensor images);
}
