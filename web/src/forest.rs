//! The forest plot, drawn on the server as SVG with real text: one row a pilot (its effect as a
//! square sized by weight, its 95% interval as a line), the pooled random-effects diamond, the
//! prediction interval, the line of no effect, an axis (log scale for ratios) with which side
//! favours the result, and the same numbers as a table beside the plot.

use askama::Template;
use registry_api::model::Direction;
use registry_api::service::comparisons::Comparison;

const ROW_HEIGHT: f64 = 24.0;
const FIRST_ROW: f64 = 84.0;
const PLOT_LEFT: f64 = 360.0;
const PLOT_RIGHT: f64 = 680.0;
/// Longest pilot label before it is shortened (the full title is in the row's tooltip).
const LABEL_CHARS: usize = 48;
/// Fewest pixels between two axis labels.
const TICK_SPACING: f64 = 44.0;

/// Maps values to x between two pixel positions, linearly or on a log scale (ratios).
/// Shared with the outcome charts ([`crate::charts`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    log: bool,
    low: f64,
    high: f64,
    left: f64,
    right: f64,
}

impl Scale {
    /// A linear scale from `low` to `high` (which must differ) across `left..right` pixels.
    pub(crate) fn linear(low: f64, high: f64, left: f64, right: f64) -> Scale {
        Scale {
            log: false,
            low,
            high,
            left,
            right,
        }
    }

    fn new(log: bool, values: impl Iterator<Item = f64>, no_effect: f64) -> Scale {
        let t = |v: f64| if log { v.ln() } else { v };
        let (mut low, mut high) = (t(no_effect), t(no_effect));
        for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
            low = low.min(t(v));
            high = high.max(t(v));
        }
        let pad = ((high - low) * 0.05).max(if log { 0.05 } else { 1e-9 });
        Scale {
            log,
            low: low - pad,
            high: high + pad,
            left: PLOT_LEFT,
            right: PLOT_RIGHT,
        }
    }

    pub(crate) fn x(&self, v: f64) -> f64 {
        let t = if self.log {
            v.max(f64::MIN_POSITIVE).ln()
        } else {
            v
        };
        let fraction = ((t - self.low) / (self.high - self.low)).clamp(0.0, 1.0);
        self.left + fraction * (self.right - self.left)
    }

    /// Round values along the axis, far enough apart for their labels: on a log scale 1 and
    /// powers of ten first, then 5s and 2s (or powers of two on a narrow axis); on a linear
    /// scale multiples of a 1, 2 or 5 step.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let (from, to) = if self.log {
            (self.low.exp(), self.high.exp())
        } else {
            (self.low, self.high)
        };
        let inside = |v: &f64| (from..=to).contains(v);
        let candidates: Vec<f64> = if self.log {
            let decades = || (-4..=4).map(|p| 10f64.powi(p));
            let nice: Vec<f64> = std::iter::once(1.0)
                .chain(decades())
                .chain(decades().map(|d| 5.0 * d))
                .chain(decades().map(|d| 2.0 * d))
                .filter(inside)
                .collect();
            if nice.len() >= 3 {
                nice
            } else {
                std::iter::once(1.0)
                    .chain((1..=12).flat_map(|p| [2f64.powi(p), 2f64.powi(-p)]))
                    .filter(inside)
                    .collect()
            }
        } else {
            let rough = (to - from) / 6.0;
            let magnitude = 10f64.powf(rough.log10().floor());
            let step = [1.0, 2.0, 5.0, 10.0]
                .into_iter()
                .map(|m| m * magnitude)
                .find(|s| *s >= rough)
                .unwrap_or(10.0 * magnitude);
            let first = (from / step).ceil() as i64;
            let last = (to / step).floor() as i64;
            (first..=last).map(|i| i as f64 * step).collect()
        };
        let mut kept: Vec<f64> = Vec::new();
        for v in candidates {
            if kept
                .iter()
                .all(|k| (self.x(*k) - self.x(v)).abs() >= TICK_SPACING)
            {
                kept.push(v);
            }
        }
        kept.sort_by(f64::total_cmp);
        kept
    }
}

/// A number as the plot shows it: three significant figures, never `-0`.
pub(crate) fn short(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_owned()
    } else {
        text
    }
}

/// XML 1.0's `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

struct Row {
    y: f64,
    label: String,
    title: String,
    x: f64,
    x_low: f64,
    x_high: f64,
    half: f64,
    numbers: String,
    weight: String,
}

struct Diamond {
    y: f64,
    label: String,
    points: String,
    numbers: String,
    /// The pooled estimate over every pilot, rather than a subgroup's.
    overall: bool,
}

struct Interval {
    y: f64,
    x_low: f64,
    x_high: f64,
    numbers: String,
}

struct Note {
    y: f64,
    text: String,
}

struct Tick {
    x: f64,
    label: String,
}

#[derive(Template)]
#[template(path = "forest.svg", escape = "html")]
struct ForestPlot {
    width: f64,
    height: f64,
    title: String,
    subtitle: String,
    measure_label: String,
    rows: Vec<Row>,
    /// Subgroup names, above their pilots.
    headings: Vec<Note>,
    diamonds: Vec<Diamond>,
    prediction: Option<Interval>,
    heterogeneity: Option<Note>,
    no_effect_x: f64,
    top: f64,
    axis_y: f64,
    ticks: Vec<Tick>,
    left_label: &'static str,
    right_label: &'static str,
    plot_left: f64,
    plot_right: f64,
    empty: Option<&'static str>,
}

/// The plot of a comparison, as an SVG document.
pub fn render(comparison: &Comparison) -> askama::Result<String> {
    let measure = comparison.effect_measure;
    let ratio = matches!(
        measure,
        registry_api::model::EffectMeasure::Rr | registry_api::model::EffectMeasure::Or
    );
    let no_effect = if ratio { 1.0 } else { 0.0 };
    let figured = &comparison.figured;
    let pooled = figured.pooled.as_ref();
    let values = figured
        .pilots
        .iter()
        .flat_map(|p| [p.ci_lower, p.ci_upper])
        .chain(
            figured
                .subgroups
                .iter()
                .filter_map(|s| s.pooled.as_ref())
                .flat_map(|p| [p.random_ci_lower, p.random_ci_upper]),
        )
        .chain(pooled.iter().flat_map(|p| {
            [
                Some(p.random_ci_lower),
                Some(p.random_ci_upper),
                p.prediction_lower,
                p.prediction_upper,
            ]
            .into_iter()
            .flatten()
        }));
    let scale = Scale::new(ratio, values, no_effect);
    let max_weight = figured
        .pilots
        .iter()
        .map(|p| p.weight_random)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);

    let row = |y: f64, p: &registry_api::service::comparisons::PilotEffect| {
        let full = format!("{} ({})", p.input.pilot_title, p.input.host_name);
        let label = if full.chars().count() > LABEL_CHARS {
            format!(
                "{}…",
                full.chars().take(LABEL_CHARS - 1).collect::<String>()
            )
        } else {
            full.clone()
        };
        Row {
            y,
            label,
            title: full,
            x: scale.x(p.effect),
            x_low: scale.x(p.ci_lower),
            x_high: scale.x(p.ci_upper),
            half: 2.0 + 5.0 * (p.weight_random / max_weight).sqrt(),
            numbers: format!(
                "{} [{}, {}]",
                short(p.effect),
                short(p.ci_lower),
                short(p.ci_upper)
            ),
            weight: format!("{:.1}%", p.weight_random),
        }
    };
    let diamond = |y: f64, label: String, p: &registry_api::evidence::Pooled, overall: bool| {
        let (l, m, h) = (
            scale.x(p.random_ci_lower),
            scale.x(p.random_estimate),
            scale.x(p.random_ci_upper),
        );
        Diamond {
            y,
            label,
            points: format!(
                "{l:.1},{y:.1} {m:.1},{:.1} {h:.1},{y:.1} {m:.1},{:.1}",
                y - 7.0,
                y + 7.0
            ),
            numbers: format!(
                "{} [{}, {}]",
                short(p.random_estimate),
                short(p.random_ci_lower),
                short(p.random_ci_upper)
            ),
            overall,
        }
    };

    // Pilots in their subgroups when the comparison has them, each subgroup headed and
    // closed by its own diamond; otherwise one run of pilots.
    let sections: Vec<(
        Option<&registry_api::service::comparisons::Subgroup>,
        Vec<_>,
    )> = match comparison.subgroup_by {
        Some(by) => figured
            .subgroups
            .iter()
            .map(|s| {
                let members = figured
                    .pilots
                    .iter()
                    .filter(|p| p.input.attributes.subgroup(by) == s.key)
                    .collect();
                (Some(s), members)
            })
            .collect(),
        None => vec![(None, figured.pilots.iter().collect())],
    };
    let mut rows = Vec::new();
    let mut headings = Vec::new();
    let mut diamonds = Vec::new();
    let mut y = FIRST_ROW;
    for (subgroup, members) in sections {
        if let Some(s) = subgroup {
            headings.push(Note {
                y,
                text: s.key.clone(),
            });
            y += ROW_HEIGHT;
        }
        for p in members {
            rows.push(row(y, p));
            y += ROW_HEIGHT;
        }
        if let Some((s, pooled)) = subgroup.and_then(|s| Some((s, s.pooled.as_ref()?))) {
            diamonds.push(diamond(
                y,
                format!("Subtotal: {}, {} pilots", s.key, s.k),
                pooled,
                false,
            ));
            y += ROW_HEIGHT;
        }
    }
    y += 8.0;
    if let Some(p) = pooled {
        diamonds.push(diamond(
            y,
            format!(
                "Random effects ({}), {} pilots",
                match p.method {
                    registry_api::model::PoolingMethod::Reml => "REML",
                    registry_api::model::PoolingMethod::Dl => "DerSimonian–Laird",
                },
                p.k
            ),
            p,
            true,
        ));
        y += ROW_HEIGHT;
    }
    let prediction = pooled.and_then(|p| {
        let (low, high) = (p.prediction_lower?, p.prediction_upper?);
        let interval = Interval {
            y,
            x_low: scale.x(low),
            x_high: scale.x(high),
            numbers: format!("[{}, {}]", short(low), short(high)),
        };
        y += ROW_HEIGHT;
        Some(interval)
    });
    let heterogeneity = pooled.map(|p| {
        let line = Note {
            y,
            text: format!(
                "Heterogeneity: τ² = {}, I² = {:.0}%, Q = {} on {} df ({})",
                short(p.tau2),
                p.i2,
                short(p.q),
                p.q_df,
                if p.q_p_value < 0.001 {
                    "p < 0.001".to_owned()
                } else {
                    format!("p = {}", short(p.q_p_value))
                }
            ),
        };
        y += ROW_HEIGHT;
        line
    });
    let axis_y = y + 4.0;
    // Which side is good follows the metric's direction; the effect is result against
    // baseline, so a lower value sits left of the line of no effect.
    let (left_label, right_label) = match comparison.metric.direction {
        Direction::LowerIsBetter => ("Favours result", "Favours baseline"),
        Direction::HigherIsBetter => ("Favours baseline", "Favours result"),
    };
    let k = figured.pilots.len();
    let plot = ForestPlot {
        width: 1000.0,
        height: axis_y + 64.0,
        title: format!(
            "Forest plot: {} ({}), {} across {} pilot{}",
            comparison.metric.name,
            comparison.metric.code,
            measure.label(),
            k,
            if k == 1 { "" } else { "s" }
        ),
        subtitle: format!(
            "{} excluded; effect is result against baseline",
            figured.excluded.len()
        ),
        measure_label: format!("{} (95% CI)", measure.label()),
        no_effect_x: scale.x(no_effect),
        top: FIRST_ROW - 14.0,
        axis_y,
        ticks: scale
            .ticks()
            .into_iter()
            .map(|v| Tick {
                x: scale.x(v),
                label: short(v),
            })
            .collect(),
        rows,
        headings,
        diamonds,
        prediction,
        heterogeneity,
        left_label,
        right_label,
        plot_left: PLOT_LEFT,
        plot_right: PLOT_RIGHT,
        empty: match k {
            0 => Some("No pilot you can see has what this comparison needs."),
            _ => None,
        },
    };
    // Text stored before the services refused control characters must not make the whole
    // document ill-formed: XML 1.0 cannot carry them even escaped, so they are dropped.
    Ok(plot.render()?.chars().filter(|&c| is_xml_char(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::{Scale, short};

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(short(0.71452), "0.715");
        assert_eq!(short(-12.345), "-12.3");
        assert_eq!(short(-0.0001), "-0.000100");
        assert_eq!(short(-0.0004), "-0.000400");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(f64::NAN), "–");
    }

    #[test]
    fn log_axes_have_ratio_ticks_and_linear_axes_round_ones() {
        let log = Scale::new(true, [0.3, 2.5].into_iter(), 1.0);
        assert_eq!(log.ticks(), vec![0.5, 1.0, 2.0]);
        let linear = Scale::new(false, [-3.2, 1.1].into_iter(), 0.0);
        assert_eq!(linear.ticks(), vec![-3.0, -2.0, -1.0, 0.0, 1.0]);
        assert!(linear.x(-3.2) < linear.x(0.0) && linear.x(0.0) < linear.x(1.1));
    }
}
