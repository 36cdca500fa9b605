package io.fugou.shop.world;

import java.time.LocalDate;
import java.time.MonthDay;

/**
 * How busy a day is for a Chinese online shop, against an ordinary weekday: the shopping festivals (Double 11, 618,
 * Double 12), the weeks before them, the run-up to the Spring Festival, weekends; and when in the day people buy.
 */
public final class Seasons {

    /** Relative weight of each hour of the day for a purchase: lunch break and evening peaks, a quiet night. */
    private static final double[] HOURS = {
            1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 2.6, 3.0, 3.4,
            4.2, 3.6, 2.8, 2.8, 3.0, 3.2, 3.6, 4.4, 5.4, 6.0, 5.2, 3.0};
    private static final double HOURS_TOTAL = java.util.Arrays.stream(HOURS).sum();

    private Seasons() {
    }

    /** The demand of {@code day} against an ordinary weekday (1.0). */
    public static double demand(LocalDate day) {
        double factor = switch (day.getDayOfWeek()) {
            case SATURDAY, SUNDAY -> 1.25;
            case FRIDAY -> 1.1;
            default -> 1.0;
        };
        return factor * festival(day);
    }

    /** The festival {@code day} belongs to, for the progress line; null on an ordinary day. */
    public static String festivalName(LocalDate day) {
        MonthDay monthDay = MonthDay.from(day);
        if (monthDay.equals(MonthDay.of(11, 11))) {
            return "Double 11";
        }
        if (monthDay.equals(MonthDay.of(6, 18))) {
            return "618";
        }
        if (monthDay.equals(MonthDay.of(12, 12))) {
            return "Double 12";
        }
        if (isBeforeSpringFestival(day)) {
            return "Spring Festival shopping";
        }
        if (day.getMonthValue() == 11 && day.getDayOfMonth() < 11) {
            return "Double 11 pre-sales";
        }
        return null;
    }

    private static double festival(LocalDate day) {
        int month = day.getMonthValue();
        int dayOfMonth = day.getDayOfMonth();
        if (month == 11 && dayOfMonth == 11) {
            return 4.0;
        }
        if (month == 11 && dayOfMonth < 11) {
            return 1.5;
        }
        if (month == 11 && dayOfMonth == 12) {
            return 1.4;
        }
        if (month == 6 && dayOfMonth == 18) {
            return 3.0;
        }
        if (month == 6 && dayOfMonth < 18) {
            return 1.25;
        }
        if (month == 12 && dayOfMonth == 12) {
            return 2.0;
        }
        if (isBeforeSpringFestival(day)) {
            return 1.3;
        }
        return 1.0;
    }

    /** The weeks of gift buying before the Spring Festival (late January to early February, every year near enough). */
    private static boolean isBeforeSpringFestival(LocalDate day) {
        return (day.getMonthValue() == 1 && day.getDayOfMonth() >= 10) || (day.getMonthValue() == 2 && day.getDayOfMonth() <= 5);
    }

    /** An hour of the day drawn from {@link #HOURS}, for {@code uniform} in [0, 1). */
    static int hourOfDay(double uniform) {
        double left = uniform * HOURS_TOTAL;
        for (int hour = 0; hour < HOURS.length; hour++) {
            left -= HOURS[hour];
            if (left < 0) {
                return hour;
            }
        }
        return HOURS.length - 1;
    }
}
