package dev.distill.core.prompt;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The prompts of each class for text-conditioned samplers (SDXL).
 *
 * <p>{@code Distill} asks for a class's candidate prompts once, before generating the class, and
 * gives sample {@code i} of class {@code c} the candidate chosen by its seed (run seed, class,
 * index) — so a sample's prompt is as reproducible as its noise and is written into the manifest.
 * Sources:
 *
 * <ul>
 *   <li>{@link #template(String)} — one prompt per class from its name, default {@link
 *       #DEFAULT_TEMPLATE};
 *   <li>{@link #captions(Path)} — a JSON or CSV file mapping classes to lists of prompts, e.g.
 *       written offline by a captioner or VLM (as UniDD's context prompts and ALIA's domain
 *       descriptions are);
 *   <li>{@link #captioner(Captioner, int)} — a live captioner run on a few real images per class;
 *   <li>any implementation of this interface.
 * </ul>
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface PromptSource {
  /** The default template: {@code "a photo of a {name}"}. */
  String DEFAULT_TEMPLATE = "a photo of a {name}";

  /**
   * The candidate prompts of one class.
   *
   * @param classId the class index
   * @param classes the dataset's classes (folder and display names)
   * @param data the real data (captioners read a few images of the class; others ignore it)
   * @return at least one prompt
   */
  List<String> prompts(int classId, ClassIndex classes, Dataset data);

  /**
   * Checks, before any work, that this source fits the dataset's classes.
   *
   * @param classes the dataset's classes
   * @throws IllegalArgumentException naming a class the source knows but the dataset does not, or
   *     one it lacks
   */
  default void checkClasses(ClassIndex classes) {}

  /** A short description for manifests and run fingerprints. */
  default String id() {
    String s = getClass().getSimpleName();
    return s.isEmpty() ? "custom" : s;
  }

  /**
   * One prompt per class from a template; {@code {name}} is replaced by the class's display name,
   * {@code {folder}} by its folder name.
   *
   * @param template e.g. {@code "a photo of a {name}"}
   * @return the source
   */
  static PromptSource template(String template) {
    checkNotNull(template, "template");
    checkArgument(!template.isBlank(), "template must not be blank but was '%s'", template);
    return new TemplatePrompts(template);
  }

  /** {@link #template(String)} with {@link #DEFAULT_TEMPLATE}. */
  static PromptSource defaults() {
    return template(DEFAULT_TEMPLATE);
  }

  /**
   * Prompts from a captions file (see {@link CaptionPrompts} for the JSON and CSV formats).
   *
   * @param file a {@code .json} or {@code .csv} file
   * @return the source; {@link #checkClasses} rejects a file naming an unknown class or missing one
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is malformed (naming the file and line or key)
   */
  static PromptSource captions(Path file) throws IOException {
    return CaptionPrompts.read(file);
  }

  /**
   * Prompts from a live captioner, run once per class on its first {@code imagesPerClass} real
   * images.
   *
   * @param captioner the captioner
   * @param imagesPerClass how many images to caption, {@code >= 1}
   * @return the source
   */
  static PromptSource captioner(Captioner captioner, int imagesPerClass) {
    return new CaptionerPrompts(captioner, imagesPerClass);
  }
}
