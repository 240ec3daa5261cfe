//! A pilot's outcome on one measure, drawn on the server as a small SVG: the baseline and the
//! result each as a point with its 95% confidence interval as whiskers (where one can be
//! computed), on one axis with the unit and which way is better. The SVG is made to sit
//! inline in a page under the registry's Content-Security-Policy: presentation attributes
//! only (no `style`), `role="img"`, named by its `<title>` and `<desc>`, which state the
//! numbers in words; the page shows the same numbers in a table beside it ([`figure`] spells
//! them the same way).
//!
//! Points rather than bars: a bar's length claims a meaningful zero, and measures include
//! scores and changes that can be negative or far from zero.

use askama::Template;
use registry_api::evidence::Interval;
use registry_api::model::{Direction, MetricKind, MetricUnit};
use registry_api::service::measures::Side;

use crate::forest::{Scale, is_xml_char, short};

const WIDTH: f64 = 400.0;
const LEFT_MARGIN: f64 = 12.0;
/// The plot keeps clear of the edges by half the widest tick label.
const PLOT_LEFT: f64 = 32.0;
const PLOT_RIGHT: f64 = 368.0;
const FIRST_TEXT: f64 = 22.0;
const ROW_HEIGHT: f64 = 46.0;
/// From a row's text down to its mark.
const MARK_BELOW_TEXT: f64 = 18.0;

/// One side of a measure as the chart shows it: the value and, where it could be computed,
/// its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub value: f64,
    pub ci95: Option<Interval>,
}

impl Reading {
    /// A stored side of a measure, with its interval by the metric's kind (a mean's from its
    /// SD and n, a proportion's by Wilson from its events and n).
    pub fn of(side: &Side, kind: MetricKind) -> Reading {
        Reading {
            value: side.value,
            ci95: side.ci95(kind),
        }
    }
}

/// What an outcome chart draws.
#[derive(Debug, Clone)]
pub struct OutcomeChart<'a> {
    /// Unique within the page (a measure's id, say): the chart's title and description ids
    /// are made from it. Characters other than ASCII letters, digits, `-` and `_` are dropped.
    pub id: &'a str,
    pub metric_name: &'a str,
    pub unit: MetricUnit,
    pub direction: Direction,
    pub baseline: Reading,
    pub result: Reading,
}

/// The chart as an SVG element, to embed in a page as it is (it needs no stylesheet).
pub fn outcome_chart(chart: &OutcomeChart<'_>) -> askama::Result<String> {
    Ok(Drawing::of(chart)
        .render()?
        .chars()
        .filter(|&c| is_xml_char(c))
        .collect())
}

/// A value as the chart and its table show it: three significant figures, thousands as `k`,
/// millions as `m` and billions as `bn` from ten thousand up, with `%` or `£` for those
/// units; `–` for a value that is not a number.
pub fn figure(value: f64, unit: MetricUnit) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let number = compact(value.abs());
    let sign = if value < 0.0 && number != "0" {
        "-"
    } else {
        ""
    };
    match unit {
        MetricUnit::Percent => format!("{sign}{number}%"),
        MetricUnit::Gbp => format!("{sign}£{number}"),
        _ => format!("{sign}{number}"),
    }
}

/// A value in words, for the description a screen reader reads.
fn in_words(value: f64, unit: MetricUnit) -> String {
    let figure = figure(value, unit);
    match unit {
        MetricUnit::Minutes => format!("{figure} minutes"),
        MetricUnit::Hours => format!("{figure} hours"),
        MetricUnit::Days => format!("{figure} days"),
        MetricUnit::RatePerThousand => format!("{figure} per 1,000"),
        MetricUnit::Count => format!("a count of {figure}"),
        MetricUnit::Score => format!("a score of {figure}"),
        MetricUnit::Proportion => format!("a proportion of {figure}"),
        MetricUnit::Percent | MetricUnit::Gbp => figure,
    }
}

/// The axis's caption: what is measured, in what.
fn unit_caption(unit: MetricUnit) -> &'static str {
    match unit {
        MetricUnit::Proportion => "Proportion (0 to 1)",
        MetricUnit::Percent => "Percent",
        MetricUnit::Count => "Count",
        MetricUnit::Minutes => "Minutes",
        MetricUnit::Hours => "Hours",
        MetricUnit::Days => "Days",
        MetricUnit::Gbp => "Pounds (£)",
        MetricUnit::Score => "Score",
        MetricUnit::RatePerThousand => "Rate per 1,000",
    }
}

/// A non-negative number in three significant figures, without trailing zeros, thousands
/// separated below ten thousand and abbreviated above.
fn compact(v: f64) -> String {
    let trimmed = |text: String| {
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    };
    // Rounded first, so that 999 950 reads 1m, not 1,000k.
    let rounded = round_to_figures(v, 3);
    if rounded >= 1e12 {
        let text = format!("{rounded:.2e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trimmed(mantissa.to_owned())),
            None => text,
        };
    }
    for (from, size, suffix) in [(1e9, 1e9, "bn"), (1e6, 1e6, "m"), (1e4, 1e3, "k")] {
        if rounded >= from {
            return format!("{}{suffix}", trimmed(short(rounded / size)));
        }
    }
    let text = trimmed(short(rounded));
    if rounded >= 1000.0 {
        let (thousands, rest) = text.split_at(text.len() - 3);
        format!("{thousands},{rest}")
    } else {
        text
    }
}

fn round_to_figures(v: f64, figures: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let magnitude = 10f64.powi(figures - 1 - v.abs().log10().floor() as i32);
    if magnitude.is_finite() && magnitude > 0.0 {
        (v * magnitude).round() / magnitude
    } else {
        v
    }
}

struct Whisker {
    low: f64,
    high: f64,
}

struct Row {
    class: &'static str,
    label: &'static str,
    numbers: String,
    colour: &'static str,
    square: bool,
    text_y: f64,
    mark_y: f64,
    x: Option<f64>,
    whisker: Option<Whisker>,
}

struct Tick {
    x: f64,
    label: String,
}

struct Axis {
    y: f64,
    left: f64,
    right: f64,
    ticks: Vec<Tick>,
}

#[derive(Template)]
#[template(path = "outcome_chart.svg", escape = "html")]
struct Drawing {
    id: String,
    width: f64,
    height: f64,
    left_margin: f64,
    title: String,
    description: String,
    rows: Vec<Row>,
    axis: Option<Axis>,
    caption_y: f64,
    caption: String,
}

/// The finite ends of a reading's interval, in order.
fn finite_interval(reading: &Reading) -> Option<Interval> {
    let ci = reading.ci95?;
    (ci.lower.is_finite() && ci.upper.is_finite()).then(|| Interval {
        lower: ci.lower.min(ci.upper),
        upper: ci.lower.max(ci.upper),
    })
}

/// The values the axis must reach: each finite value and interval end.
fn extent(readings: &[Reading]) -> Option<(f64, f64)> {
    let values = readings.iter().flat_map(|r| {
        let ci = finite_interval(r);
        [Some(r.value), ci.map(|c| c.lower), ci.map(|c| c.upper)]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite())
    });
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((low, high)) => Some((f64::min(low, v), f64::max(high, v))),
    })
}

/// The axis's range: the values with a margin, from zero when zero is near, kept within what
/// the unit can take (no negative proportions) when the values are.
fn axis_range(low: f64, high: f64, unit: MetricUnit) -> (f64, f64) {
    let (floor, ceiling) = unit.plausible_range();
    let (mut low, high) = (low, high);
    if low >= 0.0 && low <= high - low {
        low = 0.0;
    }
    let span = high - low;
    let pad = if span > 0.0 {
        span * 0.08
    } else if low != 0.0 {
        low.abs() * 0.1
    } else {
        // Everything is zero: a span of one, or a tenth of a bounded unit's range.
        (ceiling - floor).min(10.0) / 10.0
    };
    let (mut from, mut to) = (low - pad, high + pad);
    if low >= floor {
        from = from.max(floor);
    }
    if high <= ceiling {
        to = to.min(ceiling);
    }
    // A span too small for floating point to divide (1e300 + tiny) still needs two ends.
    if to.partial_cmp(&from) != Some(std::cmp::Ordering::Greater) || !(to - from).is_normal() {
        let half = (low.abs() * 1e-3).max(1.0);
        return (low - half, low + half);
    }
    (from, to)
}

impl Drawing {
    fn of(chart: &OutcomeChart<'_>) -> Drawing {
        let id = format!(
            "outcome-{}",
            chart
                .id
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        );
        let name: String = chart
            .metric_name
            .chars()
            .filter(|&c| is_xml_char(c))
            .collect();
        let unit = chart.unit;
        let readings = [chart.baseline, chart.result];
        let scale = extent(&readings)
            .map(|(low, high)| {
                let (from, to) = axis_range(low, high, unit);
                Scale::linear(from, to, PLOT_LEFT, PLOT_RIGHT)
            })
            .filter(|_| readings.iter().any(|r| r.value.is_finite()));

        let rows = [
            ("baseline", "Baseline", "#4c6272", true),
            ("result", "Result", "#005eb8", false),
        ]
        .into_iter()
        .zip(readings)
        .enumerate()
        .map(|(i, ((class, label, colour, square), reading))| {
            let text_y = FIRST_TEXT + ROW_HEIGHT * i as f64;
            let finite = reading.value.is_finite();
            let ci = finite_interval(&reading).filter(|_| finite);
            let numbers = match (finite, ci) {
                (false, _) => "not recorded".to_owned(),
                (true, Some(ci)) => format!(
                    "{} (95% CI {} to {})",
                    figure(reading.value, unit),
                    figure(ci.lower, unit),
                    figure(ci.upper, unit)
                ),
                (true, None) => format!("{} (no 95% CI)", figure(reading.value, unit)),
            };
            Row {
                class,
                label,
                numbers,
                colour,
                square,
                text_y,
                mark_y: text_y + MARK_BELOW_TEXT,
                x: scale.filter(|_| finite).map(|s| s.x(reading.value)),
                whisker: scale.zip(ci).map(|(s, ci)| Whisker {
                    low: s.x(ci.lower),
                    high: s.x(ci.upper),
                }),
            }
        })
        .collect::<Vec<_>>();

        let axis_y = FIRST_TEXT + ROW_HEIGHT * 2.0 - 8.0;
        let axis = scale.map(|s| Axis {
            y: axis_y,
            left: PLOT_LEFT,
            right: PLOT_RIGHT,
            ticks: s
                .ticks()
                .into_iter()
                .map(|v| Tick {
                    x: s.x(v),
                    label: figure(v, MetricUnit::Count),
                })
                .collect(),
        });
        let caption_y = axis_y + if axis.is_some() { 42.0 } else { 8.0 };
        Drawing {
            id,
            width: WIDTH,
            height: caption_y + 12.0,
            left_margin: LEFT_MARGIN,
            title: format!("{name}: baseline and result"),
            description: describe(chart),
            rows,
            axis,
            caption_y,
            caption: format!(
                "{}, {}",
                unit_caption(unit),
                chart.direction.label().to_lowercase()
            ),
        }
    }
}

/// The chart in words: both readings with their intervals, the change and which way is better.
fn describe(chart: &OutcomeChart<'_>) -> String {
    let unit = chart.unit;
    let side = |label: &str, reading: &Reading| {
        if !reading.value.is_finite() {
            return format!("{label} not recorded.");
        }
        let value = in_words(reading.value, unit);
        match finite_interval(reading) {
            Some(ci) => format!(
                "{label} {value}, 95% confidence interval {} to {}.",
                figure(ci.lower, unit),
                figure(ci.upper, unit)
            ),
            None => format!(
                "{label} {value}, with no confidence interval (its spread or sample size was \
                 not recorded)."
            ),
        }
    };
    let (baseline, result) = (&chart.baseline, &chart.result);
    let change = if baseline.value.is_finite() && result.value.is_finite() {
        let difference = result.value - baseline.value;
        if difference == 0.0 || figure(difference.abs(), unit) == "0" {
            " The result is the same as the baseline.".to_owned()
        } else {
            format!(
                " The result is {} {} than the baseline.",
                figure(difference.abs(), unit),
                if difference > 0.0 { "higher" } else { "lower" }
            )
        }
    } else {
        String::new()
    };
    format!(
        "{}: {} {}{} {}.",
        chart.metric_name,
        side("Baseline", baseline),
        side("Result", result),
        change,
        chart.direction.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart<'a>(name: &'a str, baseline: Reading, result: Reading) -> OutcomeChart<'a> {
        OutcomeChart {
            id: "m1",
            metric_name: name,
            unit: MetricUnit::Minutes,
            direction: Direction::LowerIsBetter,
            baseline,
            result,
        }
    }

    fn reading(value: f64, ci: Option<(f64, f64)>) -> Reading {
        Reading {
            value,
            ci95: ci.map(|(lower, upper)| Interval { lower, upper }),
        }
    }

    /// Renders, checks the SVG is well-formed XML with no NaN or infinity anywhere, and
    /// returns it with its text content.
    fn drawn(chart: &OutcomeChart<'_>) -> (String, String) {
        let svg = outcome_chart(chart).unwrap_or_else(|e| panic!("renders: {e}"));
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("well-formed XML: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        for node in doc.descendants() {
            assert_eq!(node.attribute("style"), None, "no style attributes");
            for a in node.attributes() {
                let v = a.value().to_ascii_lowercase();
                assert!(
                    !v.contains("nan") && !v.contains("inf"),
                    "{}={v}\n{svg}",
                    a.name()
                );
            }
        }
        let labelled = root.attribute("aria-labelledby").unwrap_or("");
        for id in labelled.split(' ') {
            assert!(
                doc.descendants().any(|n| n.attribute("id") == Some(id)),
                "{id} names an element"
            );
        }
        let text: String = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
        (svg, text)
    }

    #[test]
    fn the_chart_states_both_readings_and_their_intervals() {
        let (svg, text) = drawn(&chart(
            "Time to triage",
            reading(42.5, Some((38.1, 46.9))),
            reading(31.2, Some((28.0, 34.4))),
        ));
        for n in ["42.5", "38.1", "46.9", "31.2", "28", "34.4"] {
            assert!(text.contains(n), "{n} in {text}");
        }
        assert!(text.contains("Baseline") && text.contains("Result"));
        assert!(text.contains("Minutes, lower is better"), "{text}");
        assert!(
            text.contains("The result is 11.3 lower than the baseline"),
            "{text}"
        );
        assert!(svg.contains(r#"aria-labelledby="outcome-m1-title outcome-m1-desc""#));
        assert_eq!(svg.matches("<circle").count(), 1, "the result's point");
        assert_eq!(svg.matches("<rect").count(), 1, "the baseline's point");
    }

    #[test]
    fn a_metric_name_is_escaped() {
        let (svg, text) = drawn(&chart(
            "<script>alert(\"x\")</script> & \u{1}co",
            reading(1.0, None),
            reading(2.0, None),
        ));
        assert!(!svg.contains("<script>"));
        assert!(
            text.contains("<script>alert(\"x\")</script> & co"),
            "{text}"
        );
    }

    #[test]
    fn readings_without_an_interval_say_so() {
        let (svg, text) = drawn(&chart("Wait", reading(10.0, None), reading(10.0, None)));
        assert!(text.contains("no 95% CI"), "{text}");
        assert!(text.contains("no confidence interval"), "{text}");
        assert!(text.contains("the same as the baseline"), "{text}");
        assert!(!svg.contains("stroke-width=\"2\""), "no whiskers");
    }

    #[test]
    fn awkward_values_draw() {
        let cases = [
            (reading(0.0, Some((0.0, 0.0))), reading(0.0, None)),
            (
                reading(-5.0, Some((-9.0, -1.0))),
                reading(3.0, Some((-2.0, 8.0))),
            ),
            (reading(1.0, None), reading(1e9, Some((9.9e8, 1.01e9)))),
            (reading(1e300, None), reading(1e300, None)),
            (
                reading(f64::NAN, None),
                reading(2.0, Some((f64::NEG_INFINITY, 3.0))),
            ),
            (reading(f64::INFINITY, None), reading(f64::NAN, None)),
            (
                reading(5.0, Some((6.0, 4.0))),
                reading(5.0, Some((5.0, 5.0))),
            ),
        ];
        for (baseline, result) in cases {
            let (_, text) = drawn(&chart("Odd", baseline, result));
            assert!(text.contains("Baseline"), "{text}");
        }
    }

    #[test]
    fn proportions_and_percentages_keep_their_range() {
        let proportion = OutcomeChart {
            unit: MetricUnit::Proportion,
            direction: Direction::HigherIsBetter,
            ..chart(
                "Seen within 4 hours",
                reading(0.8, Some((0.4902, 0.9433))),
                reading(1.0, Some((0.7225, 1.0))),
            )
        };
        let (_, text) = drawn(&proportion);
        assert!(text.contains("0.8 (95% CI 0.49 to 0.943)"), "{text}");
        assert!(text.contains("a proportion of 0.8"), "{text}");
        assert!(
            text.contains("Proportion (0 to 1), higher is better"),
            "{text}"
        );
        let drawing = Drawing::of(&proportion);
        let ticks: Vec<&str> = drawing
            .axis
            .iter()
            .flat_map(|a| a.ticks.iter().map(|t| t.label.as_str()))
            .collect();
        assert_eq!(ticks.first(), Some(&"0"), "{ticks:?}");
        assert_eq!(ticks.last(), Some(&"1"), "{ticks:?}");

        let percent = OutcomeChart {
            unit: MetricUnit::Percent,
            ..chart("DNA rate", reading(0.0, None), reading(0.0, None))
        };
        let drawing = Drawing::of(&percent);
        let range: Vec<f64> = drawing
            .axis
            .iter()
            .flat_map(|a| a.ticks.iter().map(|t| t.x))
            .collect();
        assert!(!range.is_empty() && range.iter().all(|x| (PLOT_LEFT..=PLOT_RIGHT).contains(x)));
        let (_, text) = drawn(&percent);
        assert!(text.contains("Baseline 0% (no 95% CI)"), "{text}");
    }

    #[test]
    fn figures_are_short_and_readable() {
        assert_eq!(figure(42.46, MetricUnit::Minutes), "42.5");
        assert_eq!(figure(0.5, MetricUnit::Proportion), "0.5");
        assert_eq!(figure(12.5, MetricUnit::Percent), "12.5%");
        assert_eq!(figure(-1234.0, MetricUnit::Gbp), "-£1,230");
        assert_eq!(figure(1_234_567.0, MetricUnit::Gbp), "£1.23m");
        assert_eq!(figure(999_950.0, MetricUnit::Count), "1m");
        assert_eq!(figure(15_000.0, MetricUnit::Count), "15k");
        assert_eq!(figure(3e9, MetricUnit::Count), "3bn");
        assert_eq!(figure(1.5e300, MetricUnit::Count), "1.5e300");
        assert_eq!(figure(-0.0, MetricUnit::Count), "0");
        assert_eq!(figure(0.000123, MetricUnit::Score), "0.000123");
        assert_eq!(figure(f64::NAN, MetricUnit::Count), "–");
    }
}
