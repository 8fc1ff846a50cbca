/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_input.c: buttons (gpio-keys) and touch (GT911 on the N6-DK, SDL touch on native_sim) as
 * FaceGate input events. The Zephyr input callback runs in the input thread
 * (CONFIG_INPUT_MODE_THREAD); the Rust callback it calls only pushes to a lock-free queue.
 */
#include <zephyr/kernel.h>

#include "facegate_shim.h"

#if defined(CONFIG_INPUT)

#include <zephyr/input/input.h>

static struct k_spinlock lock;
static fg_input_fn user_fn;
static void *user_ctx;

/* Touch reports come as ABS_X, ABS_Y, then BTN_TOUCH with sync (input-event-codes.h). */
static int32_t touch_x;
static int32_t touch_y;
static bool touch_down;
static bool touch_moved;

/* Registers the callback; set once at boot, read on every event. */
void fg_input_set_callback(fg_input_fn fn, void *ctx)
{
	k_spinlock_key_t key = k_spin_lock(&lock);

	user_fn = fn;
	user_ctx = ctx;
	k_spin_unlock(&lock, key);
}

static void deliver(const struct fg_input_event *ev)
{
	k_spinlock_key_t key = k_spin_lock(&lock);
	fg_input_fn fn = user_fn;
	void *ctx = user_ctx;

	k_spin_unlock(&lock, key);
	if (fn != NULL) {
		fn(ev, ctx);
	}
}

/* Follows include/zephyr/input/input.h (v4.4.1): struct input_event {dev, sync, type, code,
 * value}; INPUT_EV_KEY / INPUT_EV_ABS, INPUT_ABS_X / INPUT_ABS_Y, INPUT_BTN_TOUCH from
 * include/zephyr/dt-bindings/input/input-event-codes.h. */
static void fg_input_cb(struct input_event *evt, void *user_data)
{
	struct fg_input_event ev = {0};

	ARG_UNUSED(user_data);
	if (evt->type == INPUT_EV_ABS) {
		if (evt->code == INPUT_ABS_X) {
			touch_x = evt->value;
		} else if (evt->code == INPUT_ABS_Y) {
			touch_y = evt->value;
		}
		touch_moved = true;
	} else if (evt->type == INPUT_EV_KEY && evt->code == INPUT_BTN_TOUCH) {
		touch_down = evt->value != 0;
		touch_moved = true;
	} else if (evt->type == INPUT_EV_KEY) {
		ev.kind = FG_INPUT_KEY;
		ev.pressed = evt->value != 0;
		ev.code = evt->code;
		deliver(&ev);
		return;
	}
	if (evt->sync && touch_moved) {
		touch_moved = false;
		ev.kind = FG_INPUT_TOUCH;
		ev.pressed = touch_down;
		ev.code = INPUT_BTN_TOUCH;
		ev.x = touch_x;
		ev.y = touch_y;
		deliver(&ev);
	}
}

/* Follows include/zephyr/input/input.h (v4.4.1): INPUT_CALLBACK_DEFINE(dev, callback,
 * user_data), the 3-argument form (4.0+); dev NULL = events from every input device. */
INPUT_CALLBACK_DEFINE(NULL, fg_input_cb, NULL);

#else

void fg_input_set_callback(fg_input_fn fn, void *ctx)
{
	ARG_UNUSED(fn);
	ARG_UNUSED(ctx);
}

#endif
