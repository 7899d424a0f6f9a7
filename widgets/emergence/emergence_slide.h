#pragma once
// The emergence view's content as one slide: a title naming the run and stage, a caption of how
// each series moved, the plot of the three series, and an early and a late trace side by side.
// The view shows one; an export lays out a second at slide size and renders it.

#include "core/store/emergence_story.h"

#include <QImage>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QLabel;

namespace thinkbench::widgets {

class StoryPlot;
class StoryTrace;

class EmergenceSlide : public QWidget {
    Q_OBJECT

public:
    explicit EmergenceSlide(QWidget* parent = nullptr);
    ~EmergenceSlide() override;

    void setStory(const core::EmergenceStory& story, const QString& title);
    QString title() const;
    QString caption() const;
    QCustomPlot* plot() const { return plot_; }
    const StoryPlot& storyPlot() const { return *storyPlot_; }
    StoryTrace* early() const { return early_; }
    StoryTrace* late() const { return late_; }

    // Lays the slide out at `size` off screen and renders it at `ratio` device pixels per pixel.
    QImage render(QSize size, qreal ratio);

private:
    QLabel* title_;
    QLabel* caption_;
    QCustomPlot* plot_;
    std::unique_ptr<StoryPlot> storyPlot_;
    StoryTrace* early_;
    StoryTrace* late_;
};

} // namespace thinkbench::widgets
