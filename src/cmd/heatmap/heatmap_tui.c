// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap's live TUI (ncursesw): time left to right, one column per frame,
 * the newest at the right edge, scrolling left as frames arrive; the address axis
 * (the selected mappings end to end, hm_project) top to bottom, one row per cell.
 *
 *   row 0            title: target, pid, source, intervals
 *   row 1            status: working set, cold (never accessed so far), frames, lost
 *   rows 2..H-4      margin (mapping names, addresses) | the map
 *   row H-3          time axis: seconds before the newest frame shown
 *   row H-2          colour legend and the address window shown
 *   row H-1          keys
 *
 * Colours: with 256 colours, ten levels of the same ramp as the pictures as cell
 * backgrounds (0 is near black, 1 pale yellow); with 8 colours, colours plus shade
 * characters; without colour, characters alone. "Not sampled" is never a level:
 * a dim dot in colour, a blank otherwise. At 80x24 the map is 60 frames by 19
 * rows; a larger terminal gets more of both (the margin grows to 36 columns).
 */
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ncursesw/curses.h>

#include "cmd/heatmap/heatmap_palette.h"
#include "cmd/heatmap/heatmap_view.h"
#include "output/view.h"

#define LEVELS 10 /* 0, then (0, 1] in nine steps */
#define PAIR_DIM (LEVELS + 1)
#define PAIR_TITLE (LEVELS + 2)

struct hm_tui {
	SCREEN *scr;
	bool utf8, colour, c256;
	bool paused;
	uint64_t paused_at; /* frames_total when paused */
	int zoom;           /* the window is the axis / 2^zoom */
	uint64_t lo;        /* window start, bytes of the axis */
	char status[96];
};

/* The xterm-256 colour nearest to rgb (the 6x6x6 cube and the grey ramp). */
static int xterm_colour(const uint8_t rgb[3])
{
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
	int best = 16, bd = INT_MAX;

	for (int i = 0; i < 216; i++) {
		int c[3] = { lv[i / 36], lv[i / 6 % 6], lv[i % 6] }, d = 0;

		for (int k = 0; k < 3; k++)
			d += (c[k] - rgb[k]) * (c[k] - rgb[k]);
		if (d < bd) {
			bd = d;
			best = 16 + i;
		}
	}
	for (int i = 0; i < 24; i++) {
		int v = 8 + 10 * i, d = 0;

		for (int k = 0; k < 3; k++)
			d += (v - rgb[k]) * (v - rgb[k]);
		if (d < bd) {
			bd = d;
			best = 232 + i;
		}
	}
	return best;
}

static void init_colours(struct hm_tui *t)
{
	/* 8-colour ramp: dark to bright. */
	static const short eight[LEVELS] = { COLOR_BLUE,   COLOR_MAGENTA, COLOR_MAGENTA, COLOR_RED,
					     COLOR_RED,    COLOR_YELLOW,  COLOR_YELLOW,  COLOR_YELLOW,
					     COLOR_WHITE,  COLOR_WHITE };
	uint8_t rgb[3];

	if (!has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	t->colour = true;
	t->c256 = COLORS >= 256 && COLOR_PAIRS > PAIR_TITLE;
	for (int i = 0; i < LEVELS; i++) {
		if (t->c256) {
			hm_ramp((double)i / (LEVELS - 1), rgb);
			init_pair(i + 1, i > 5 ? COLOR_BLACK : COLOR_WHITE, xterm_colour(rgb));
		} else {
			init_pair(i + 1, eight[i], -1);
		}
	}
	init_pair(PAIR_DIM, t->c256 ? 244 : COLOR_BLUE, -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
}

struct hm_tui *hm_tui_open(void)
{
	struct hm_tui *t;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	setlocale(LC_CTYPE, "");
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		free(t);
		return NULL;
	}
	set_term(t->scr);
	cbreak(); /* ^C still signals: SIGINT ends the run like q */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	init_colours(t);
	return t;
}

void hm_tui_close(struct hm_tui *t)
{
	if (!t)
		return;
	curs_set(1);
	endwin();
	delscreen(t->scr);
	free(t);
}

static int level_of(float v)
{
	if (v <= 0)
		return 0;
	int l = 1 + (int)(v * (LEVELS - 1) - 1e-6f);

	return l < 1 ? 1 : l > LEVELS - 1 ? LEVELS - 1 : l;
}

/* Draws one map cell of value v (-1: not sampled) at the cursor. */
static void put_cell(struct hm_tui *t, float v)
{
	static const char *const shade_utf8[LEVELS] = { ".", "░", "░", "▒", "▒", "▓", "▓", "█", "█", "█" };
	static const char ascii[] = ".:-=+*#%@@";
	int l = level_of(v);

	if (v < 0) {
		if (t->colour && t->c256) {
			attron(COLOR_PAIR(PAIR_DIM));
			addstr(t->utf8 ? "·" : ".");
			attroff(COLOR_PAIR(PAIR_DIM));
		} else {
			addch(' ');
		}
		return;
	}
	if (t->c256) {
		attron(COLOR_PAIR(l + 1));
		addch(' ');
		attroff(COLOR_PAIR(l + 1));
		return;
	}
	if (t->colour)
		attron(COLOR_PAIR(l + 1) | (l >= 7 ? A_BOLD : 0));
	if (t->utf8)
		addstr(shade_utf8[l]);
	else
		addch(ascii[l]);
	if (t->colour)
		attroff(COLOR_PAIR(l + 1) | A_BOLD);
}

/* The address window [lo, hi) shown, kept inside the axis. */
static void window(struct hm_tui *t, uint64_t total, int rows, uint64_t *lo, uint64_t *hi)
{
	uint64_t w = total;

	for (int i = 0; i < t->zoom && w / 2 >= (uint64_t)rows * 4096; i++)
		w /= 2;
	if (t->lo + w > total)
		t->lo = total - w;
	*lo = t->lo;
	*hi = t->lo + w;
}

static void margin(struct hm_tui *t, const struct hm_run *r, int y, int m, uint64_t p0,
		   uint64_t p1, bool *after_name)
{
	const struct hm_mapping *best = NULL, *at;
	uint64_t base = 0, lo;
	int starts = 0, w;
	char buf[TEXT_ESC_SIZE(128)], esc[TEXT_ESC_SIZE(128)];

	for (int i = 0; i < r->axis.n; i++) {
		const struct hm_mapping *mp = &r->axis.v[i];

		if (base >= p0 && base < p1) {
			starts++;
			if (!best || mp->end - mp->start > best->end - best->start)
				best = mp;
		}
		base += mp->end - mp->start;
	}
	at = hm_axis_mapping(&r->axis, p0, &lo);
	move(y, 0);
	if (best || (y == 2 && at)) {
		const struct hm_mapping *mp = best ? best : at;
		const char *slash = mp->name[0] == '/' ? strrchr(mp->name, '/') : NULL;
		const char *name = slash && slash[1] ? slash + 1 : mp->name;

		/* Escaped (text_esc), then cut in printed characters, not bytes. */
		text_escn(name, strnlen(name, 128), esc, sizeof(esc));
		text_cut(esc, starts > 1 ? m - 5 : m - 2);
		if (starts > 1)
			snprintf(buf, sizeof(buf), "%s +%d", esc, starts - 1);
		else
			snprintf(buf, sizeof(buf), "%s", esc);
		w = text_cut(buf, m - 1);
		attron(A_BOLD);
		printw("%s%*s", buf, m - 1 - w, "");
		attroff(A_BOLD);
		addstr(t->utf8 ? "┤" : "+");
		*after_name = true;
		return;
	}
	if (at && (*after_name || (y - 2) % 3 == 0)) {
		attron(COLOR_PAIR(PAIR_DIM));
		printw("%*llx ", m - 2, (unsigned long long)((at->start + (p0 - lo)) & ~0xfffULL));
		attroff(COLOR_PAIR(PAIR_DIM));
	} else {
		printw("%*s", m - 1, "");
	}
	addstr(t->utf8 ? "│" : "|");
	*after_name = false;
}

static void title_lines(struct hm_tui *t, const struct hm_run *r, int shown, const char *status)
{
	const struct hm_summary *s = &r->sum;
	uint64_t cold = 0;
	char a[16], b[16], line[512], target[TEXT_ESC_SIZE(sizeof(r->target))];

	for (int i = 0; i < s->nmaps; i++)
		cold += s->maps[i].never_accessed;
	attron(COLOR_PAIR(PAIR_TITLE) | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	/* The target comes last: a long command line is what gets cut. */
	snprintf(line, sizeof(line), " mmscope heatmap  source %s  aging %llu ms  aggr %llu ms  pid %d %s",
		 r->source ? r->source : "?", (unsigned long long)r->aging_us / 1000,
		 (unsigned long long)r->aggregate_us / 1000, (int)r->pid,
		 text_esc(r->target, target, sizeof(target)));
	mvaddnstr(0, 0, line, COLS);
	attroff(COLOR_PAIR(PAIR_TITLE) | A_BOLD);
	snprintf(line, sizeof(line), " WSS %s  cold %s  frames %llu  lost %llu  zoom %dx%s%s%s",
		 fmt_bytes(shown > 0 ? hm_frame_wss(&r->f[shown - 1]) : 0, a), fmt_bytes(cold, b),
		 (unsigned long long)r->frames_total, (unsigned long long)r->lost, 1 << t->zoom,
		 t->paused ? "  [PAUSED]" : "", status && status[0] ? "  " : "", status ? status : "");
	mvaddnstr(1, 0, line, COLS);
}

static void time_axis(const struct hm_run *r, int y, int m, int cols, int shown)
{
	mvprintw(y, 0, "%*s", m, "age (s) ");
	if (shown <= 0)
		return;
	for (int x = cols - 1; x >= 0; x -= 10) {
		int idx = shown - cols + x;
		char lab[16];
		int len;

		if (idx < 0)
			break;
		len = snprintf(lab, sizeof(lab), "%s%.0f", x == cols - 1 ? "" : "-",
			       (double)(r->f[shown - 1].t_ns - r->f[idx].t_ns) / 1e9);
		if (x == cols - 1)
			len = snprintf(lab, sizeof(lab), "now");
		/* Right-align each label on its column so the newest ends at the edge. */
		if (m + x - len + 1 >= m)
			mvprintw(y, m + x - len + 1, "%s", lab);
	}
}

static void legend(struct hm_tui *t, int y, uint64_t lo, uint64_t hi, uint64_t total)
{
	char a[16], b[16], c[16];

	mvprintw(y, 0, " accesses 0 ");
	for (int l = 0; l < LEVELS; l++)
		put_cell(t, l ? (float)l / (LEVELS - 1) : 0.0f);
	printw(" 1   ");
	put_cell(t, -1);
	printw(" not sampled   view %s-%s of %s", fmt_bytes(lo, a), fmt_bytes(hi, b),
	       fmt_bytes(total, c));
}

void hm_tui_draw(struct hm_tui *t, const struct hm_run *r, const char *status)
{
	int m, cols, rows, shown;
	uint64_t total = hm_axis_bytes(&r->axis), lo, hi;
	bool after_name = false;
	float *cells;

	if (status != t->status)
		snprintf(t->status, sizeof(t->status), "%s", status ? status : "");
	erase();
	if (LINES < 10 || COLS < 50) {
		mvprintw(0, 0, "terminal too small (%dx%d): 50x10 at least; q quits", COLS, LINES);
		refresh();
		return;
	}
	m = COLS / 4 < 18 ? 18 : COLS / 4 > 36 ? 36 : COLS / 4;
	cols = COLS - m;
	rows = LINES - 5;
	shown = r->n;
	if (t->paused && r->frames_total > t->paused_at)
		shown -= (int)(r->frames_total - t->paused_at);
	if (shown < 0)
		shown = 0;
	title_lines(t, r, shown, t->status);
	window(t, total, rows, &lo, &hi);
	cells = malloc((size_t)rows * cols * sizeof(*cells));
	if (!cells)
		return;
	for (int x = 0; x < cols; x++) {
		int idx = shown - cols + x;

		if (idx < 0 || !total) {
			for (int y = 0; y < rows; y++)
				cells[y * cols + x] = -2; /* no frame yet: blank */
			continue;
		}
		float col[rows];

		hm_project(&r->f[idx], &r->axis, lo, hi, rows, col);
		for (int y = 0; y < rows; y++)
			cells[y * cols + x] = col[y];
	}
	for (int y = 0; y < rows; y++) {
		uint64_t p0 = lo + (hi - lo) * (uint64_t)y / rows;
		uint64_t p1 = lo + (hi - lo) * (uint64_t)(y + 1) / rows;

		margin(t, r, y + 2, m, p0, p1, &after_name);
		for (int x = 0; x < cols; x++) {
			float v = cells[y * cols + x];

			if (v < -1.5f)
				addch(' ');
			else
				put_cell(t, v);
		}
	}
	free(cells);
	time_axis(r, LINES - 3, m, cols, shown);
	legend(t, LINES - 2, lo, hi, total);
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvprintw(LINES - 1, 0, COLS >= 100 ?
		 " q quit  p/space pause  +/- zoom  arrows/j/k scroll  Home reset  a/A aging  g/G aggregate  r re-read maps" :
		 " q:quit p:pause +/-:zoom j/k:scroll Home:reset a/A:aging g/G:aggr r:maps");
	attroff(A_REVERSE);
	refresh();
}

/* Moves the window by rows/rows_per_step of itself (negative: up). */
static void scroll_by(struct hm_tui *t, const struct hm_run *r, int steps, int per)
{
	uint64_t total = hm_axis_bytes(&r->axis), lo, hi, step;

	window(t, total, LINES - 5 > 1 ? LINES - 5 : 1, &lo, &hi);
	step = (hi - lo) / (uint64_t)per;
	if (!step)
		step = 1;
	if (steps < 0)
		t->lo = t->lo > step ? t->lo - step : 0;
	else
		t->lo += step; /* window() clamps */
}

static void zoom_by(struct hm_tui *t, const struct hm_run *r, int d)
{
	int rows = LINES - 5 > 1 ? LINES - 5 : 1;
	uint64_t total = hm_axis_bytes(&r->axis), lo, hi, centre, w;

	window(t, total, rows, &lo, &hi);
	centre = lo + (hi - lo) / 2;
	if (d > 0 && (hi - lo) / 2 < (uint64_t)rows * 4096)
		return; /* a row is already about a page */
	if (d < 0 && !t->zoom)
		return;
	t->zoom += d;
	w = total >> t->zoom;
	t->lo = centre > w / 2 ? centre - w / 2 : 0;
}

enum hm_tui_key hm_tui_key(struct hm_tui *t, const struct hm_run *r, int timeout_ms)
{
	int ch;

	timeout(timeout_ms);
	ch = getch();
	switch (ch) {
	case ERR:
		return HM_KEY_NONE;
	case 'q':
	case 'Q':
		return HM_KEY_QUIT;
	case 'a':
		return HM_KEY_AGING_DOWN;
	case 'A':
		return HM_KEY_AGING_UP;
	case 'g':
		return HM_KEY_AGGR_DOWN;
	case 'G':
		return HM_KEY_AGGR_UP;
	case 'r':
	case 'R':
		return HM_KEY_REMAP;
	case 'p':
	case 'P':
	case ' ':
		t->paused = !t->paused;
		t->paused_at = r->frames_total;
		break;
	case '+':
	case '=':
		zoom_by(t, r, 1);
		break;
	case '-':
	case '_':
		zoom_by(t, r, -1);
		break;
	case KEY_UP:
	case 'k':
		scroll_by(t, r, -1, LINES - 5 > 1 ? LINES - 5 : 1);
		break;
	case KEY_DOWN:
	case 'j':
		scroll_by(t, r, 1, LINES - 5 > 1 ? LINES - 5 : 1);
		break;
	case KEY_PPAGE:
		scroll_by(t, r, -1, 1);
		break;
	case KEY_NPAGE:
		scroll_by(t, r, 1, 1);
		break;
	case KEY_HOME:
		t->zoom = 0;
		t->lo = 0;
		break;
	case KEY_RESIZE:
		clear();
		break;
	default:
		return HM_KEY_NONE;
	}
	hm_tui_draw(t, r, t->status);
	return HM_KEY_NONE;
}
