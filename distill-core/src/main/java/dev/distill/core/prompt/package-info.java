/**
 * Where text prompts come from: per-class templates, caption files written offline by a captioner
 * or VLM, or a live {@link dev.distill.core.prompt.Captioner}.
 *
 * @since 0.1.0
 */
package dev.distill.core.prompt;
