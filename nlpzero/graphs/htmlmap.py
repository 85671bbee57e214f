"""A map of word clusters as one self-contained HTML page (inline SVG and plain JavaScript).

:func:`layout` places words in 2-D from their vectors; :func:`render_map` writes the page:
words coloured by module, each module labelled with its first (most frequent) words, a
list of modules with their size and flow, a search box (also ``page.html#q=WORD``), and
on hover a word's nearest neighbours. Nothing is fetched from the network; the browser
renders the Chinese text with its own fonts.

Two layouts:

- ``"modules"`` (default): each module is a disc of area proportional to its size, placed
  where the first two principal components of its mean vector put it, then pushed apart
  until no discs overlap; inside its disc a word sits where the module's own two
  principal components put it (angle kept, radius by rank so the disc fills evenly).
  Modules never overlap, and within a module similar words stay close.
- ``"pca"``: the first two principal components of all unit vectors. Faithful to the
  global geometry but modules overlap heavily in a blob.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ._htmlmap_kernels import pack_discs

__all__ = ["ClusterMap", "cluster_map", "layout", "module_colours", "neighbour_quality",
           "render_map"]

#: width and height of the SVG's coordinate system
SIZE = 1000.0

#: The empty border :func:`_fit` leaves on each side, a fraction of SIZE.
MARGIN = 0.04

#: A module's label: its first words (by frequency); the modules with the most flow keep
#: their label at every zoom, the others show it once zoomed in.
LABEL_WORDS = 3
MAJOR_LABELS = 40


def _pca2(x: np.ndarray) -> np.ndarray:
    """Scores on the first two principal components (zeros where there are fewer)."""
    out = np.zeros((x.shape[0], 2))
    if x.shape[0] < 2:
        return out
    centred = x - x.mean(axis=0)
    # the 2 leading right singular vectors; the sign is fixed so the layout is reproducible
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comps = vt[:2]
    signs = np.sign(comps[np.arange(comps.shape[0]), np.abs(comps).argmax(axis=1)])
    signs[signs == 0] = 1
    scores = centred @ (comps * signs[:, None]).T
    out[:, :scores.shape[1]] = scores
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1)
    norms[norms == 0] = 1
    return x / norms[:, None]


def _fit(points: np.ndarray) -> np.ndarray:
    """Scale and shift into [MARGIN, 1 - MARGIN] * SIZE keeping the aspect ratio."""
    if points.shape[0] == 0:
        return points
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = float(max((hi - lo).max(), 1e-12))
    centre = (lo + hi) / 2
    return ((points - centre) / span * (1 - 2 * MARGIN) + 0.5) * SIZE


def _spread(x: np.ndarray) -> np.ndarray:
    """Each column replaced by its rank, scaled to [-0.5, 0.5]: keeps the order of the
    projection but stops a dense core from crowding all discs onto one spot."""
    out = np.zeros_like(x)
    n = x.shape[0]
    for c in range(x.shape[1]):
        rank = np.empty(n)
        rank[np.argsort(x[:, c], kind="stable")] = np.arange(n)
        out[:, c] = rank / max(n - 1, 1) - 0.5
    return out


def layout(vectors: np.ndarray, modules: Sequence[int] | np.ndarray,
           method: str = "modules") -> np.ndarray:
    """2-D positions (n × 2, in [0, 1000]) for n words with the given vectors and modules.

    Deterministic: no random numbers, the same input gives the same picture.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    modules = np.asarray(modules, dtype=np.int64)
    if vectors.ndim != 2 or vectors.shape[0] != modules.shape[0]:
        raise ValueError("vectors must be 2-D with one row per module id")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors contain NaN or infinity")
    n = vectors.shape[0]
    if n == 0:
        return np.zeros((0, 2))
    unit = _unit(vectors)
    if method == "pca":
        return _fit(_pca2(unit))
    if method != "modules":
        raise ValueError(f"unknown layout {method!r} (modules, pca)")
    ids, inverse, sizes = np.unique(modules, return_inverse=True, return_counts=True)
    m = len(ids)
    means = np.zeros((m, unit.shape[1]))
    np.add.at(means, inverse, unit)
    means /= sizes[:, None]
    # module discs: area ∝ size; total disc area about a third of the unit square
    radii = np.sqrt(sizes / sizes.sum() * 0.33 / math.pi)
    centres = _spread(_pca2(means))
    centres = pack_discs(centres, radii, gap=0.15 * float(radii.min()) + 1e-4)
    pos = np.zeros((n, 2))
    order = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for k in range(m):
        members = order[bounds[k]:bounds[k + 1]]
        local = _pca2(unit[members])
        radius = np.sqrt((local ** 2).sum(axis=1))
        angle = np.arctan2(local[:, 1], local[:, 0])
        # radius by rank: the disc fills evenly, the order from the centre is kept
        rank = np.empty(len(members))
        rank[np.lexsort((members, radius))] = np.arange(len(members))
        r = radii[k] * np.sqrt((rank + 0.5) / len(members)) if len(members) > 1 else 0
        pos[members] = centres[k] + np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return _fit(pos)


def neighbour_quality(vectors: np.ndarray, coords: np.ndarray, modules: np.ndarray,
                      k: int = 10) -> tuple[float, float]:
    """(kNN preservation, 2-D module purity) of a layout, each in [0, 1].

    Preservation: the mean fraction of a word's k nearest neighbours by cosine that are
    among its k nearest on the map. Purity: the fraction of words whose nearest word on
    the map is in the same module. O(n²) memory: for checking layouts, not for big maps.
    """
    unit = _unit(vectors)
    n = unit.shape[0]
    k = min(k, n - 1)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -np.inf)
    d2 = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    true = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    near = np.argpartition(d2, k - 1, axis=1)[:, :k]
    kept = np.mean([len(np.intersect1d(true[i], near[i])) / k for i in range(n)])
    nearest = d2.argmin(axis=1)
    purity = float(np.mean(np.asarray(modules)[nearest] == np.asarray(modules)))
    return float(kept), purity


def module_colours(n_modules: int) -> list[str]:
    """Distinct colours: hues a golden angle apart, two lightness levels alternating."""
    return [f"hsl({(i * 137.508) % 360:.1f},{70 if i % 2 else 60}%,{42 if i % 2 else 50}%)"
            for i in range(n_modules)]


_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#222;background:#fff;display:flex;
 flex-direction:column;height:100vh}
header{padding:6px 10px;border-bottom:1px solid #ddd;display:flex;gap:10px;align-items:center}
header h1{font-size:15px;margin:0;font-weight:600;white-space:nowrap}
#q{width:14em;padding:3px 6px}
#status{color:#555}
main{flex:1;display:flex;min-height:0}
#map{flex:1;min-width:0;height:100%;cursor:grab;background:#fcfcfc}
aside{width:300px;overflow:auto;border-left:1px solid #ddd;font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{padding:2px 5px;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td:first-child{white-space:nowrap}
tr.mod{cursor:pointer}
tr.mod:hover,tr.sel{background:#eef}
.sw{display:inline-block;width:10px;height:10px;border-radius:50%}
circle.w{stroke:none}
circle.halo{opacity:.13;pointer-events:none}
svg.dim circle.halo{opacity:.04}
text.wl{font-size:2.2px;fill:#333;display:none;pointer-events:none}
svg.zoomed text.wl{display:inline}
text.ml{font-size:13px;font-weight:600;fill:#111;paint-order:stroke;stroke:#fff;
 stroke-width:2.5px;pointer-events:none;text-anchor:middle}
text.ml.minor{display:none}
svg.zoomed text.ml{font-size:3px;stroke-width:.6px;display:inline}
svg.dim circle.w{opacity:.12}
svg.dim circle.w.on{opacity:1}
#hl line{stroke:#000;stroke-width:.35;opacity:.6}
#hl circle{fill:none;stroke:#000;stroke-width:.7}
#hl text{font-size:6px;font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:1.5px}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #aaa;padding:4px 7px;
 font-size:13px;display:none;max-width:340px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
"""

_SCRIPT = r"""
(function(){
var D=JSON.parse(document.getElementById('data').textContent);
var svg=document.getElementById('map'),hl=document.getElementById('hl'),
 tip=document.getElementById('tip'),status=document.getElementById('status'),
 q=document.getElementById('q'),dots=document.getElementById('dots').children;
var index={};for(var i=0;i<D.words.length;i++)index[D.words[i]]=i;
var NS='http://www.w3.org/2000/svg',S=%(size)s;
var view=[0,0,S,S];
function setView(){svg.setAttribute('viewBox',view.join(' '));
 if(view[2]<S/3)svg.classList.add('zoomed');else svg.classList.remove('zoomed');}
function el(name,attrs,text){var e=document.createElementNS(NS,name);
 for(var a in attrs)e.setAttribute(a,attrs[a]);if(text!=null)e.textContent=text;return e;}
function clearHl(){while(hl.firstChild)hl.removeChild(hl.firstChild);}
function mark(i,id){var x=D.x[i],y=D.y[i];
 D.nbr[i].forEach(function(j){hl.appendChild(el('line',{x1:x,y1:y,x2:D.x[j],y2:D.y[j]}));});
 hl.appendChild(el('circle',{cx:x,cy:y,r:3}));
 var t=el('text',{x:x+3.5,y:y-3},D.words[i]);if(id)t.id=id;hl.appendChild(t);}
function describe(i){return D.words[i]+' \u00b7 module '+D.modules[D.module[i]]+
 ' \u00b7 neighbours: '+D.nbr[i].map(function(j){return D.words[j];}).join(' ');}
svg.addEventListener('mousemove',function(ev){var t=ev.target;
 if(t.classList&&t.classList.contains('w')){var i=+t.getAttribute('data-i');
  tip.textContent=describe(i);tip.style.display='block';
  tip.style.left=(ev.clientX+12)+'px';tip.style.top=(ev.clientY+12)+'px';
  if(hl.getAttribute('data-i')!=String(i)){clearHl();hl.setAttribute('data-i',i);mark(i);}}
 else if(tip.style.display!='none'){tip.style.display='none';}});
function search(word){word=word.trim();if(!word)return;var i=index[word];
 clearHl();hl.removeAttribute('data-i');
 if(i===undefined){status.textContent=word+': not on the map';return;}
 mark(i,'found');status.textContent=describe(i);
 var w=S/8;view=[D.x[i]-w/2,D.y[i]-w/2,w,w];setView();}
q.addEventListener('keydown',function(ev){if(ev.key=='Enter')search(q.value);});
function selectModule(m){svg.classList.add('dim');
 for(var i=0;i<dots.length;i++){if(D.module[i]==m)dots[i].classList.add('on');
  else dots[i].classList.remove('on');}}
document.querySelectorAll('tr.mod').forEach(function(tr){tr.addEventListener('click',
 function(){var m=+tr.getAttribute('data-k');
  document.querySelectorAll('tr.sel').forEach(function(s){s.classList.remove('sel');});
  if(svg.classList.contains('dim')&&tr.classList.contains('was')){
   svg.classList.remove('dim');tr.classList.remove('was');return;}
  document.querySelectorAll('tr.was').forEach(function(s){s.classList.remove('was');});
  tr.classList.add('sel','was');selectModule(m);});});
svg.addEventListener('wheel',function(ev){ev.preventDefault();
 var r=svg.getBoundingClientRect(),f=ev.deltaY>0?1.25:0.8;
 var s=Math.max(view[2],view[3])/Math.min(r.width,r.height);
 var px=view[0]+(ev.clientX-r.left-(r.width-view[2]/s)/2)*s,
     py=view[1]+(ev.clientY-r.top-(r.height-view[3]/s)/2)*s;
 view=[px-(px-view[0])*f,py-(py-view[1])*f,view[2]*f,view[3]*f];setView();},{passive:false});
var drag=null;
svg.addEventListener('mousedown',function(ev){drag=[ev.clientX,ev.clientY,view[0],view[1]];});
window.addEventListener('mouseup',function(){drag=null;});
window.addEventListener('mousemove',function(ev){if(!drag)return;
 var r=svg.getBoundingClientRect(),s=Math.max(view[2],view[3])/Math.min(r.width,r.height);
 view[0]=drag[2]-(ev.clientX-drag[0])*s;view[1]=drag[3]-(ev.clientY-drag[1])*s;setView();});
svg.addEventListener('dblclick',function(){view=[0,0,S,S];setView();});
var m=/[#&]q=([^&]*)/.exec(location.hash);
if(m){q.value=decodeURIComponent(m[1]);search(q.value);}
})();
"""


def render_map(words: Sequence[str], modules: Sequence[str], flows: Sequence[float] | np.ndarray,
               coords: np.ndarray, neighbours: Sequence[Sequence[int]] | np.ndarray,
               *, title: str = "word clusters", halos: bool = True) -> str:
    """The HTML page for n words.

    ``modules[i]`` is word i's module name (a path like ``"3"`` or ``"1:2"``), ``flows[i]``
    its flow, ``coords[i]`` its position in [0, 1000]², ``neighbours[i]`` the indices of
    its nearest words (shown on hover). Word order is the frequency order: each module is
    labelled with its first LABEL_WORDS words (the MAJOR_LABELS modules with the most flow
    always, the others once zoomed in). ``halos`` draws a faint disc behind
    each module (useful with the ``modules`` layout, where modules do not overlap). Modules
    are listed by decreasing flow, numbered from 1 in that order; their colours follow the
    same order.
    """
    n = len(words)
    coords = np.asarray(coords, dtype=np.float64)
    flows = np.asarray(flows, dtype=np.float64)
    if coords.shape != (n, 2) or len(modules) != n or flows.shape != (n,) or len(neighbours) != n:
        raise ValueError("words, modules, flows, coords and neighbours must have one row per word")
    if not (np.isfinite(coords).all() and np.isfinite(flows).all()):
        raise ValueError("coordinates and flows must be finite")
    names, inverse = np.unique(np.asarray(modules, dtype=object).astype(str), return_inverse=True)
    module_flow = np.bincount(inverse, flows, minlength=len(names))
    module_size = np.bincount(inverse, minlength=len(names))
    first = np.full(len(names), n, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(n))
    # rank modules by decreasing flow, then size, then first word
    rank_order = np.lexsort((first, -module_size, -module_flow))
    rank = np.empty(len(names), dtype=np.int64)
    rank[rank_order] = np.arange(len(names))
    k_of = rank[inverse]  # each word's module rank
    colours = module_colours(len(names))
    nbr = [[int(j) for j in row if 0 <= int(j) < n and int(j) != i]
           for i, row in enumerate(np.asarray(neighbours, dtype=object).tolist()
                                   if not isinstance(neighbours, list) else neighbours)]
    xs = np.round(coords[:, 0], 2)
    ys = np.round(coords[:, 1], 2)
    esc = html.escape
    parts: list[str] = [
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width\">",
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>\n",
        f"<header><h1>{esc(title)}</h1><input id=\"q\" type=\"search\" "
        f"placeholder=\"search a word, Enter\" autocomplete=\"off\"><span id=\"status\">"
        f"{n:,} words, {len(names):,} modules; hover a word for its neighbours, wheel to "
        "zoom, drag to pan, double-click to reset, click a module to highlight it</span>"
        "</header>\n<main>",
        f"<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SIZE:g} {SIZE:g}\" "
        "preserveAspectRatio=\"xMidYMid meet\">\n<g id=\"halos\">",
    ]
    radius = max(1.0, min(5.0, 120.0 / math.sqrt(max(n, 1))))
    counts = np.maximum(np.bincount(k_of, minlength=len(names)), 1)
    cx = np.bincount(k_of, coords[:, 0], minlength=len(names)) / counts
    cy = np.bincount(k_of, coords[:, 1], minlength=len(names)) / counts
    if halos:  # a faint disc behind each module of two or more words
        reach = np.zeros(len(names))
        np.maximum.at(reach, k_of, np.hypot(coords[:, 0] - cx[k_of], coords[:, 1] - cy[k_of]))
        parts.append("".join(
            f"<circle class=\"halo\" cx=\"{cx[k]:.1f}\" cy=\"{cy[k]:.1f}\" "
            f"r=\"{reach[k] + radius:.1f}\" fill=\"{colours[k]}\"/>"
            for k in range(len(names)) if counts[k] > 1))
    parts.append("</g>\n<g id=\"dots\">")
    parts.append("".join(
        f"<circle class=\"w\" data-i=\"{i}\" cx=\"{x:g}\" cy=\"{y:g}\" r=\"{radius:.2f}\" "
        f"fill=\"{colours[k]}\"/>"
        for i, (x, y, k) in enumerate(zip(xs.tolist(), ys.tolist(), k_of.tolist()))))
    parts.append("</g>\n<g id=\"wordlabels\">")
    parts.append("".join(
        f"<text class=\"wl\" x=\"{x + radius:g}\" y=\"{y:g}\">{esc(w)}</text>"
        for w, x, y in zip(words, xs.tolist(), ys.tolist())))
    parts.append("</g>\n<g id=\"modlabels\">")
    members_by_rank = [[] for _ in names]
    for i, k in enumerate(k_of.tolist()):
        members_by_rank[k].append(i)
    label_modules = [k for k in range(len(names)) if len(members_by_rank[k]) >= 2] or list(
        range(len(names)))
    for j, k in enumerate(label_modules):
        text = " ".join(words[i] for i in members_by_rank[k][:LABEL_WORDS])
        kind = "ml" if j < MAJOR_LABELS else "ml minor"
        parts.append(f"<text class=\"{kind}\" x=\"{cx[k]:.1f}\" y=\"{cy[k]:.1f}\">"
                     f"{esc(text)}</text>")
    parts.append("</g>\n<g id=\"hl\"></g></svg>\n<aside><table id=\"modules\"><thead><tr>"
                 "<th>#</th><th>module</th><th>size</th><th>flow</th><th>words</th></tr>"
                 "</thead><tbody>\n")
    for k in range(len(names)):
        name = str(names[rank_order[k]])
        sample = " ".join(words[i] for i in members_by_rank[k][:8])
        parts.append(
            f"<tr class=\"mod\" data-k=\"{k}\" data-module=\"{esc(name)}\"><td>"
            f"<span class=\"sw\" style=\"background:{colours[k]}\"></span> {k + 1}</td>"
            f"<td>{esc(name)}</td><td class=\"n\">{module_size[rank_order[k]]}</td>"
            f"<td class=\"n\">{module_flow[rank_order[k]]:.4f}</td><td>{esc(sample)}</td></tr>\n")
    parts.append("</tbody></table></aside></main><div id=\"tip\"></div>\n")
    data = {"words": list(words), "module": k_of.tolist(),
            "modules": [str(names[rank_order[k]]) for k in range(len(names))],
            "x": xs.tolist(), "y": ys.tolist(), "nbr": nbr}
    # "</" cannot end the script element early once escaped
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    parts.append(f"<script type=\"application/json\" id=\"data\">{payload}</script>\n")
    parts.append("<script>" + _SCRIPT.replace("%(size)s", f"{SIZE:g}") + "</script>\n")
    parts.append("</body></html>\n")
    return "".join(parts)


@dataclass
class ClusterMap:
    """A rendered map: the page, and the words on it (in the vectors' order) with their
    modules and rows in the vectors; ``missing`` clustered words had no vector."""

    html: str
    words: list[str]
    modules: list[str]
    rows: np.ndarray
    missing: int


def cluster_map(words: Sequence[str], modules: Sequence[str], flows: np.ndarray,
                vector_words: Sequence[str], vectors: np.ndarray, *, method: str = "modules",
                neighbours: int = 8, title: str = "word clusters") -> ClusterMap:
    """The map of the clustered words that have vectors, in the vectors' (frequency) order:
    the layout, each word's nearest ``neighbours`` by cosine among the mapped words, the
    page."""
    from .knn import cosine_knn

    where = {w: i for i, w in enumerate(words)}
    rows = np.array([i for i, w in enumerate(vector_words) if w in where], dtype=np.int64)
    if not len(rows):
        raise InputError("no clustered word has a vector (do the clusters come from these "
                         "vectors?)")
    take = np.array([where[vector_words[i]] for i in rows.tolist()], dtype=np.int64)
    sub = np.asarray(vectors)[rows]
    mods = [modules[j] for j in take.tolist()]
    _, ids = np.unique(np.array(mods, dtype=object).astype(str), return_inverse=True)
    coords = layout(sub, ids, method)
    source, target, _ = cosine_knn(sub, neighbours, -1.0)
    nbr: list[list[int]] = [[] for _ in range(len(rows))]
    for s, t in zip(source.tolist(), target.tolist()):
        nbr[s].append(t)
    placed = [vector_words[i] for i in rows.tolist()]
    page = render_map(placed, mods, np.asarray(flows, dtype=np.float64)[take], coords, nbr,
                      title=title, halos=method == "modules")
    return ClusterMap(page, placed, mods, rows, len(words) - len(rows))
