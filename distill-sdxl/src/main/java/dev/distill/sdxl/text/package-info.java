/**
 * SDXL's text side: the CLIP BPE tokenizer ({@link dev.distill.sdxl.text.ClipTokenizer}), the CLIP
 * text encoders ({@link dev.distill.sdxl.text.ClipTextModel}), and diffusers' {@code encode_prompt}
 * glue ({@link dev.distill.sdxl.text.SdxlTextEncoder}), faithful to transformers' slow {@code
 * CLIPTokenizer} (without ftfy) and eager {@code CLIPTextModel}/{@code
 * CLIPTextModelWithProjection}.
 *
 * <p>Golden parity: {@link dev.distill.sdxl.parity.ParityCheck}.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.text;
