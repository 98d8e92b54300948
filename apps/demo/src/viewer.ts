import type { Crystal } from '@crys/lattice';
import { covalentRadius, elementSymbol, fracToCart } from '@crys/lattice';
import type { PeriodicGraph } from '@crys/graph';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { elementColor } from './colors.js';

/** What the pointer is over: an atom (with its image) or an edge. */
export type Hovered =
  | { kind: 'atom'; index: number; image: [number, number, number] }
  | { kind: 'edge'; index: number }
  | null;

export interface ViewOptions {
  /** Draw periodic images of atoms that edges reach outside the cell. */
  showImages: boolean;
  /** Draw the multigraph edges. */
  showEdges: boolean;
}

const SELF_LOOP_COLOR = 0xe8590c;
const EDGE_COLOR = 0x4c6ef5;
const CELL_COLOR = 0x222222;

/**
 * A three.js view of one crystal: unit cell, atoms (Jmol colours, covalent radii), the periodic images that the
 * multigraph reaches, and its edges drawn from the atom in the cell to the image of its neighbour. Image
 * self-loops (an atom joined to its own image) are drawn in orange.
 */
export class CrystalViewer {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private readonly group = new THREE.Group();
  private atomMesh: THREE.InstancedMesh | null = null;
  private atomInstances: { index: number; image: [number, number, number] }[] = [];
  private edgeLines: THREE.LineSegments | null = null;
  private crystal: Crystal | null = null;
  private graph: PeriodicGraph | null = null;
  private readonly raycaster = new THREE.Raycaster();
  private readonly pointer = new THREE.Vector2();
  private frameRequested = false;
  onHover: (h: Hovered) => void = () => {};

  readonly container: HTMLElement;
  private readonly legend: HTMLElement | null;

  /** Draws into `container`; `legend`, when given, lists the colours of the elements and edges on show. */
  constructor(container: HTMLElement, legend: HTMLElement | null = null) {
    this.container = container;
    this.legend = legend;
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio ?? 1));
    this.renderer.setClearColor(0xffffff);
    container.appendChild(this.renderer.domElement);
    this.camera = new THREE.PerspectiveCamera(35, 1, 0.1, 1000);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener('change', () => this.requestRender());
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.6));
    const light = new THREE.DirectionalLight(0xffffff, 1.6);
    light.position.set(5, 8, 10);
    this.scene.add(light);
    this.scene.add(this.group);
    this.raycaster.params.Line = { threshold: 0.08 };
    this.renderer.domElement.addEventListener('pointermove', (e) => this.pick(e));
    // Nothing is under the pointer once it has left the canvas (or the page).
    this.renderer.domElement.addEventListener('pointerleave', () => this.onHover(null));
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth),
      h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderer.render(this.scene, this.camera);
    });
  }

  /** Removes everything from the scene, the legend and the hover state. */
  clear(): void {
    this.crystal = null;
    this.graph = null;
    this.atomMesh = null;
    this.edgeLines = null;
    this.atomInstances = [];
    for (const child of [...this.group.children]) {
      this.group.remove(child);
      disposeObject(child);
    }
    if (this.legend) this.legend.innerHTML = '';
    this.onHover(null);
    this.requestRender();
  }

  /** Shows `crystal` and, if given, its multigraph. Keeps the camera unless `resetCamera`. */
  show(crystal: Crystal, graph: PeriodicGraph | null, options: ViewOptions, resetCamera = false): void {
    this.clear();
    this.crystal = crystal;
    this.graph = graph;
    const L = crystal.lattice;
    const n = crystal.atomicNumbers.length;
    const cart = fracToCart(new Float64Array(3 * n), crystal.fracCoords, L);
    this.group.add(cellBox(L));

    // Atoms in the cell, plus the images that edges reach (deduplicated by atom and image offset).
    const instances: { index: number; image: [number, number, number] }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      instances.push({ index: i, image: [0, 0, 0] });
      seen.add(`${i}:0,0,0`);
    }
    if (graph && options.showImages) {
      for (let e = 0; e < graph.src.length; e++) {
        const j = graph.dst[e];
        const im: [number, number, number] = [graph.image[3 * e], graph.image[3 * e + 1], graph.image[3 * e + 2]];
        const key = `${j}:${im.join(',')}`;
        if (!seen.has(key)) {
          seen.add(key);
          instances.push({ index: j, image: im });
        }
      }
    }
    const geometry = new THREE.SphereGeometry(1, 24, 16);
    const material = new THREE.MeshStandardMaterial({ roughness: 0.45, metalness: 0.05 });
    const mesh = new THREE.InstancedMesh(geometry, material, instances.length);
    const m = new THREE.Matrix4();
    const color = new THREE.Color();
    for (let k = 0; k < instances.length; k++) {
      const { index, image } = instances[k];
      const p = imagePosition(cart, L, index, image);
      const r = 0.45 * covalentRadiusOr(crystal.atomicNumbers[index]) * (k < n ? 1 : 0.75);
      m.makeScale(r, r, r).setPosition(p[0], p[1], p[2]);
      mesh.setMatrixAt(k, m);
      color.setHex(elementColor(crystal.atomicNumbers[index]));
      if (k >= n) color.lerp(new THREE.Color(0xffffff), 0.55);
      mesh.setColorAt(k, color);
    }
    this.group.add(mesh);
    this.atomMesh = mesh;
    this.atomInstances = instances;

    this.edgeLines = null;
    if (graph && options.showEdges && graph.src.length > 0) {
      const E = graph.src.length;
      const positions = new Float32Array(6 * E);
      const colors = new Float32Array(6 * E);
      const c = new THREE.Color();
      for (let e = 0; e < E; e++) {
        const i = graph.src[e],
          j = graph.dst[e];
        const im: [number, number, number] = [graph.image[3 * e], graph.image[3 * e + 1], graph.image[3 * e + 2]];
        const a = imagePosition(cart, L, i, [0, 0, 0]);
        const b = imagePosition(cart, L, j, im);
        positions.set(a, 6 * e);
        positions.set(b, 6 * e + 3);
        c.setHex(i === j ? SELF_LOOP_COLOR : EDGE_COLOR);
        colors.set([c.r, c.g, c.b, c.r, c.g, c.b], 6 * e);
      }
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(positions, 3));
      g.setAttribute('color', new THREE.BufferAttribute(colors, 3));
      const lines = new THREE.LineSegments(g, new THREE.LineBasicMaterial({ vertexColors: true }));
      this.group.add(lines);
      this.edgeLines = lines;
    }
    if (resetCamera) this.frame(L);
    if (this.legend) {
      this.legend.innerHTML = legendItems(
        crystal,
        instances.length > n,
        this.edgeLines !== null,
        this.edgeLines !== null && hasSelfLoop(graph!),
      );
    }
    this.requestRender();
  }

  /** Points the camera at the cell. */
  frame(L: ArrayLike<number>): void {
    const cx = (L[0] + L[3] + L[6]) / 2,
      cy = (L[1] + L[4] + L[7]) / 2,
      cz = (L[2] + L[5] + L[8]) / 2;
    const size = Math.max(Math.hypot(L[0], L[1], L[2]), Math.hypot(L[3], L[4], L[5]), Math.hypot(L[6], L[7], L[8]));
    this.controls.target.set(cx, cy, cz);
    this.camera.position.set(cx + 2.2 * size, cy + 1.5 * size, cz + 3.0 * size);
    this.controls.update();
  }

  private pick(event: PointerEvent): void {
    if (!this.crystal) return;
    const rect = this.renderer.domElement.getBoundingClientRect();
    this.pointer.set(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(this.pointer, this.camera);
    if (this.atomMesh) {
      const hit = this.raycaster.intersectObject(this.atomMesh)[0];
      if (hit?.instanceId !== undefined) {
        const inst = this.atomInstances[hit.instanceId];
        this.onHover({ kind: 'atom', index: inst.index, image: inst.image });
        return;
      }
    }
    if (this.edgeLines) {
      const hit = this.raycaster.intersectObject(this.edgeLines)[0];
      if (hit?.index !== undefined) {
        this.onHover({ kind: 'edge', index: Math.floor(hit.index / 2) });
        return;
      }
    }
    this.onHover(null);
  }

  /** The canvas as a PNG data URL (for tests and downloads). */
  snapshot(): string {
    this.renderer.render(this.scene, this.camera);
    return this.renderer.domElement.toDataURL('image/png');
  }
}

function cssColor(hex: number): string {
  return `#${hex.toString(16).padStart(6, '0')}`;
}

function hasSelfLoop(graph: PeriodicGraph): boolean {
  for (let e = 0; e < graph.src.length; e++) if (graph.src[e] === graph.dst[e]) return true;
  return false;
}

/**
 * The legend's items: each element of the crystal (Jmol colour, symbol, count in the cell) in order of first
 * appearance, then the keys for what else is drawn (edges, image self-loops, periodic images).
 */
export function legendItems(crystal: Crystal, images: boolean, edges: boolean, selfLoops: boolean): string {
  const counts = new Map<number, number>();
  for (const z of crystal.atomicNumbers) counts.set(z, (counts.get(z) ?? 0) + 1);
  const items = [...counts].map(([z, count]) => {
    const sym = z >= 1 && z <= 118 ? elementSymbol(z) : `Z${z}`;
    return `<li data-element="${sym}"><span class="swatch" style="background:${cssColor(elementColor(z))}"></span>${sym}<span class="count">×${count}</span></li>`;
  });
  if (edges)
    items.push(`<li data-key="edge"><span class="line" style="background:${cssColor(EDGE_COLOR)}"></span>edge</li>`);
  if (selfLoops) {
    items.push(
      `<li data-key="self-loop"><span class="line" style="background:${cssColor(SELF_LOOP_COLOR)}"></span>image self-loop</li>`,
    );
  }
  if (images) items.push('<li data-key="image"><span class="swatch faded"></span>periodic image (paler)</li>');
  return items.join('');
}

function covalentRadiusOr(z: number): number {
  try {
    return covalentRadius(z);
  } catch {
    return 1.2;
  }
}

function imagePosition(cart: Float64Array, L: ArrayLike<number>, i: number, t: [number, number, number]): number[] {
  return [
    cart[3 * i] + t[0] * L[0] + t[1] * L[3] + t[2] * L[6],
    cart[3 * i + 1] + t[0] * L[1] + t[1] * L[4] + t[2] * L[7],
    cart[3 * i + 2] + t[0] * L[2] + t[1] * L[5] + t[2] * L[8],
  ];
}

function cellBox(L: ArrayLike<number>): THREE.LineSegments {
  const corners: number[][] = [];
  for (let a = 0; a <= 1; a++)
    for (let b = 0; b <= 1; b++)
      for (let c = 0; c <= 1; c++)
        corners.push([a * L[0] + b * L[3] + c * L[6], a * L[1] + b * L[4] + c * L[7], a * L[2] + b * L[5] + c * L[8]]);
  const idx = (a: number, b: number, c: number) => 4 * a + 2 * b + c;
  const pairs: [number, number][] = [];
  for (let a = 0; a <= 1; a++)
    for (let b = 0; b <= 1; b++) {
      pairs.push([idx(a, b, 0), idx(a, b, 1)]);
      pairs.push([idx(a, 0, b), idx(a, 1, b)]);
      pairs.push([idx(0, a, b), idx(1, a, b)]);
    }
  const pos = new Float32Array(pairs.length * 6);
  pairs.forEach(([p, q], k) => {
    pos.set(corners[p], 6 * k);
    pos.set(corners[q], 6 * k + 3);
  });
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(pos, 3));
  return new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: CELL_COLOR }));
}

function disposeObject(o: THREE.Object3D): void {
  const m = o as THREE.Mesh;
  m.geometry?.dispose();
  const mat = m.material as THREE.Material | THREE.Material[] | undefined;
  if (Array.isArray(mat)) for (const x of mat) x.dispose();
  else mat?.dispose();
}

/** A one-line description of an atom for the hover tooltip. */
export function describeAtom(crystal: Crystal, index: number, image: [number, number, number]): string {
  const f = crystal.fracCoords;
  const sym = elementSymbol(crystal.atomicNumbers[index]);
  const pos = [f[3 * index], f[3 * index + 1], f[3 * index + 2]].map((x) => x.toFixed(4)).join(', ');
  const im = image.some((t) => t !== 0) ? ` image (${image.join(', ')})` : '';
  return `atom ${index} ${sym} at (${pos})${im}`;
}

/** A one-line description of an edge for the hover tooltip. */
export function describeEdge(crystal: Crystal, graph: PeriodicGraph, e: number): string {
  const i = graph.src[e],
    j = graph.dst[e];
  const im = [graph.image[3 * e], graph.image[3 * e + 1], graph.image[3 * e + 2]];
  const d = graph.distances ? graph.distances[e].toFixed(4) : '?';
  const kind = i === j ? ' (image self-loop)' : '';
  return `edge ${e}: ${i} ${elementSymbol(crystal.atomicNumbers[i])} → ${j} ${elementSymbol(crystal.atomicNumbers[j])} image (${im.join(', ')}) |r| = ${d} Å${kind}`;
}
