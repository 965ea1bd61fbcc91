// Small DOM helpers: the page is built with plain elements, no framework.

import type * as tf from '@tensorflow/tfjs-core';
import { type RgbaPicture, tileImages } from './pixels';

type Attributes = Record<string, string | number | boolean>;

/** Creates an element with attributes (`text` sets textContent) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'text') element.textContent = String(value);
    else if (typeof value === 'boolean') {
      if (value) element.setAttribute(key, '');
    } else element.setAttribute(key, String(value));
  }
  element.append(...children);
  return element;
}

/** Shows a message in a view (class `message`, or `message error`). */
export function message(container: HTMLElement, text: string, error = false): HTMLElement {
  const node = el('p', { class: error ? 'message error' : 'message', text });
  container.append(node);
  return node;
}

/**
 * A canvas holding one pixel per image pixel; CSS scales it up (`scale` × its natural size, never wider than its
 * container: `max-width: 100%`, `height: auto`), pixelated.
 */
export function pictureCanvas(id: string, scale: number, label: string): HTMLCanvasElement {
  return el('canvas', {
    id,
    class: 'picture',
    width: 1,
    height: 1,
    'data-scale': scale,
    role: 'img',
    'aria-label': label,
  });
}

/** Draws an RGBA picture into a canvas at its natural size. */
export function putPicture(canvas: HTMLCanvasElement, picture: RgbaPicture): void {
  canvas.width = picture.width;
  canvas.height = picture.height;
  const scale = Number(canvas.dataset.scale ?? 1);
  canvas.style.width = `${picture.width * scale}px`;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.putImageData(new ImageData(new Uint8ClampedArray(picture.data), picture.width, picture.height), 0, 0);
}

/**
 * Reads images float32 `[n, h, w, c]` and draws them tiled (`cols` per row) into the canvas. Disposes `images`.
 * Sets `data-version` so tests can wait for a redraw.
 */
export async function drawImages(canvas: HTMLCanvasElement, images: tf.Tensor, cols: number, gap = 0): Promise<void> {
  try {
    const values = await images.data();
    putPicture(canvas, tileImages(values, images.shape as [number, number, number, number], cols, gap));
    canvas.dataset.version = String(Number(canvas.dataset.version ?? 0) + 1);
  } finally {
    images.dispose();
  }
}

/** A labelled number input. */
export function numberInput(
  id: string,
  label: string,
  value: number,
  min: number,
  max: number,
  step = 1,
): HTMLInputElement {
  return el('input', { id, type: 'number', value, min, max, step, 'aria-label': label, title: label });
}

/**
 * A labelled slider with its value shown beside it (`<output>`). Tests and the keyboard (arrow keys) set it like a
 * number input; `change` and `input` fire as for any range input.
 */
export function slider(id: string, label: string, value: number, min: number, max: number, step = 1): HTMLElement {
  const input = el('input', { id, type: 'range', value, min, max, step, 'aria-label': label });
  const shown = el('output', { id: `${id}-value`, for: id, text: value });
  input.addEventListener('input', () => {
    shown.textContent = input.value;
  });
  return el('label', {}, [`${label} `, input, shown]);
}

/** `<label>text <control></label>` */
export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return el('label', {}, [`${text} `, control]);
}

/** Resolves after the browser had a chance to paint (an animation frame, or 50 ms in a hidden tab). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      setTimeout(resolve, 0);
    });
  });
}
