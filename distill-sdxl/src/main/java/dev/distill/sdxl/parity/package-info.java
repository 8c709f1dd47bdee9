/**
 * Golden parity against a fixture folder computed by the reference Python implementation (diffusers
 * + transformers): {@link dev.distill.sdxl.parity.ParityCheck} runs every case (tokenizers, text
 * encoders, UNet, VAE, schedulers, text-to-image, image-to-image, guidance gradient) and returns
 * one {@link dev.distill.sdxl.parity.CaseResult} per compared output, printing the worst error per
 * case. The per-component runners and the one comparison are package-private.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.parity;
