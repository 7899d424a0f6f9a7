#include "widgets/stage_editor.h"
#include "widgets/stage_editor/recipe_document.h"
#include "widgets/stage_editor/stage_form.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

using core::StageKind;

namespace {

QString kindName(StageKind kind)
{
    return QString::fromUtf8(core::nameOf(kind).data(), qsizetype(core::nameOf(kind).size()));
}

} // namespace

StageEditor::StageEditor(QWidget* parent)
    : QWidget(parent)
    , doc_(std::make_unique<RecipeDocument>())
    , builtIns_(new QComboBox(this))
    , fileLabel_(new QLabel(this))
    , stageList_(new QListWidget(this))
    , kindBox_(new QComboBox(this))
    , addButton_(new QPushButton(tr("Add"), this))
    , removeButton_(new QPushButton(tr("Remove"), this))
    , upButton_(new QPushButton(tr("Up"), this))
    , downButton_(new QPushButton(tr("Down"), this))
    , formTitle_(new QLabel(this))
    , formArea_(new QScrollArea(this))
    , text_(new QPlainTextEdit(this))
    , error_(new QLabel(this))
    , parseTimer_(new QTimer(this))
{
    builtIns_->addItem(tr("Built-in recipes…"));
    auto* open = new QPushButton(tr("Open…"), this);
    auto* save = new QPushButton(tr("Save as…"), this);
    fileLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->addWidget(builtIns_);
    top->addWidget(open);
    top->addWidget(save);
    top->addWidget(fileLabel_, 1);

    stageList_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    stageList_->setTextElideMode(Qt::ElideRight);
    for (const auto& kind : core::enumNames(StageKind{}))
        kindBox_->addItem(kindName(kind.value), int(kind.value));
    kindBox_->setToolTip(tr("Kind of the stage to add"));
    auto* stagesPane = new QWidget(this);
    auto* stagesLayout = new QVBoxLayout(stagesPane);
    stagesLayout->setContentsMargins(0, 0, 0, 0);
    stagesLayout->addWidget(new QLabel(tr("Stages"), stagesPane));
    stagesLayout->addWidget(stageList_, 1);
    auto* addRow = new QHBoxLayout;
    addRow->addWidget(kindBox_, 1);
    addRow->addWidget(addButton_);
    stagesLayout->addLayout(addRow);
    auto* moveRow = new QHBoxLayout;
    moveRow->addWidget(removeButton_);
    moveRow->addWidget(upButton_);
    moveRow->addWidget(downButton_);
    stagesLayout->addLayout(moveRow);

    auto* formPane = new QWidget(this);
    auto* formLayout = new QVBoxLayout(formPane);
    formLayout->setContentsMargins(0, 0, 0, 0);
    QFont titleFont = formTitle_->font();
    titleFont.setBold(true);
    formTitle_->setFont(titleFont);
    formLayout->addWidget(formTitle_);
    formArea_->setWidgetResizable(true);
    formLayout->addWidget(formArea_, 1);

    auto* textPane = new QWidget(this);
    auto* textLayout = new QVBoxLayout(textPane);
    textLayout->setContentsMargins(0, 0, 0, 0);
    textLayout->addWidget(new QLabel(tr("TOML"), textPane));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    text_->setFont(mono);
    text_->setLineWrapMode(QPlainTextEdit::NoWrap);
    textLayout->addWidget(text_, 1);
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #b00020;"));
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->hide();
    textLayout->addWidget(error_);

    // Stages beside their form, the TOML below both: the editor stays usable in a narrow dock.
    auto* formSplitter = new QSplitter(Qt::Horizontal);
    formSplitter->addWidget(stagesPane);
    formSplitter->addWidget(formPane);
    formSplitter->setStretchFactor(1, 1);
    formSplitter->setSizes({200, 380});
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(formSplitter);
    splitter->addWidget(textPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    parseTimer_->setSingleShot(true);
    parseTimer_->setInterval(500);
    connect(parseTimer_, &QTimer::timeout, this, [this] { applyText(false); });
    connect(text_, &QPlainTextEdit::textChanged, parseTimer_, qOverload<>(&QTimer::start));
    connect(stageList_, &QListWidget::currentRowChanged, this, [this](int row) {
        current_ = row;
        rebuildForm();
        revealStage(row);
    });
    connect(addButton_, &QPushButton::clicked, this, [this] { addStage(StageKind(kindBox_->currentData().toInt())); });
    connect(removeButton_, &QPushButton::clicked, this, [this] { removeStage(currentStage()); });
    connect(upButton_, &QPushButton::clicked, this, [this] { moveStage(currentStage(), currentStage() - 1); });
    connect(downButton_, &QPushButton::clicked, this, [this] { moveStage(currentStage(), currentStage() + 1); });
    connect(open, &QPushButton::clicked, this, &StageEditor::chooseOpen);
    connect(save, &QPushButton::clicked, this, &StageEditor::chooseSave);
    connect(builtIns_, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            openRecipe(builtIns_->itemData(index).toString());
    });
    rebuildList();
    rebuildForm();
}

StageEditor::~StageEditor() = default;

void StageEditor::setRecipeDirectory(const QString& directory)
{
    recipeDirectory_ = directory;
    while (builtIns_->count() > 1)
        builtIns_->removeItem(1);
    const QDir dir(directory);
    for (const QFileInfo& file : dir.entryInfoList({QStringLiteral("*.toml")}, QDir::Files, QDir::Name))
        builtIns_->addItem(file.completeBaseName(), file.absoluteFilePath());
}

QStringList StageEditor::builtInRecipes() const
{
    QStringList names;
    for (int i = 1; i < builtIns_->count(); ++i)
        names << builtIns_->itemText(i);
    return names;
}

bool StageEditor::openRecipe(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showIssues({{path.toStdString(), 0, 0, "", tr("cannot read the recipe file").toStdString()}});
        return false;
    }
    path_ = path;
    fileLabel_->setText(QFileInfo(path).fileName());
    fileLabel_->setToolTip(path);
    return setRecipeText(QString::fromUtf8(file.readAll()), path);
}

bool StageEditor::setRecipeText(const QString& text, const QString& fileName)
{
    fileName_ = fileName;
    {
        const QSignalBlocker block(text_);
        text_->setPlainText(text);
    }
    parseTimer_->stop();
    current_ = 0;
    applyText(true);
    return valid_;
}

bool StageEditor::saveRecipe(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        showIssues({{path.toStdString(), 0, 0, "", tr("cannot write the recipe file").toStdString()}});
        return false;
    }
    file.write(text_->toPlainText().toUtf8());
    if (!file.flush())
        return false;
    path_ = path;
    fileName_ = path;
    fileLabel_->setText(QFileInfo(path).fileName());
    fileLabel_->setToolTip(path);
    emit recipeSaved(path);
    return true;
}

QString StageEditor::tomlText() const
{
    return text_->toPlainText();
}

QString StageEditor::errorText() const
{
    return error_->isHidden() ? QString() : error_->text();
}

void StageEditor::applyText(bool adoptInvalid)
{
    const std::string text = text_->toPlainText().toStdString();
    const std::string file = fileName_.toStdString();
    const auto issues = core::checkRecipe(text, file);
    // A half-typed edit must not wipe the form: only a valid text replaces it (or a file opened
    // with problems, which the form should show as far as it parses). Form edits meanwhile would
    // overwrite the text being fixed, so the form is disabled until it parses.
    if ((!issues.empty() && !adoptInvalid) || !doc_->parse(text, file)) {
        valid_ = false;
        showIssues(issues);
        setFormEnabled(false);
        return;
    }
    setFormEnabled(true);
    adopt(text, issues);
    rebuildList();
    rebuildForm();
}

void StageEditor::adopt(const std::string& text, const std::vector<core::RecipeIssue>& issues)
{
    showIssues(issues);
    valid_ = issues.empty();
    if (valid_) {
        recipe_ = core::parseRecipe(text, fileName_.toStdString());
        emit recipeChanged();
    }
}

void StageEditor::regenerate()
{
    const std::string text = doc_->text();
    const int scroll = text_->verticalScrollBar()->value();
    {
        const QSignalBlocker block(text_);
        text_->setPlainText(QString::fromStdString(text));
    }
    text_->verticalScrollBar()->setValue(scroll);
    parseTimer_->stop();
    adopt(text, core::checkRecipe(text, fileName_.toStdString()));
    if (auto* item = stageList_->item(current_))
        item->setText(stageTitle(current_));
}

QString StageEditor::stageTitle(int index) const
{
    const auto kind = doc_->stageKind(index);
    return QStringLiteral("%1. %2 (%3)")
        .arg(index + 1)
        .arg(QString::fromStdString(doc_->stageName(index)), kind ? kindName(*kind) : tr("unknown kind"));
}

void StageEditor::revealStage(int index)
{
    // The stage's [[stages]] header at the top of the TOML view (scroll units are lines).
    static const QRegularExpression header(QStringLiteral("^\\s*\\[\\[\\s*stages\\s*\\]\\]"));
    int seen = 0;
    for (QTextBlock block = text_->document()->begin(); block.isValid(); block = block.next())
        if (header.match(block.text()).hasMatch() && seen++ == index) {
            text_->verticalScrollBar()->setValue(block.blockNumber());
            return;
        }
}

void StageEditor::setFormEnabled(bool enabled)
{
    for (QWidget* widget : std::initializer_list<QWidget*>{formArea_, stageList_, kindBox_, addButton_})
        widget->setEnabled(enabled);
    if (!enabled)
        for (QWidget* widget : {removeButton_, upButton_, downButton_})
            widget->setEnabled(false);
}

void StageEditor::showIssues(const std::vector<core::RecipeIssue>& issues)
{
    QList<QTextEdit::ExtraSelection> marks;
    if (issues.empty()) {
        error_->clear();
        error_->hide();
        text_->setExtraSelections(marks);
        return;
    }
    QString message = QString::fromStdString(issues.front().str());
    if (issues.size() > 1)
        message += QLatin1Char(' ') + tr("(and %n more)", nullptr, int(issues.size() - 1));
    QStringList all;
    for (const auto& issue : issues) {
        all << QString::fromStdString(issue.str());
        if (issue.line > 0) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(text_->document()->findBlockByNumber(issue.line - 1));
            mark.format.setBackground(QColor(255, 220, 220));
            mark.format.setProperty(QTextFormat::FullWidthSelection, true);
            marks << mark;
        }
    }
    error_->setText(message);
    error_->setToolTip(all.join('\n'));
    error_->show();
    text_->setExtraSelections(marks);
}

int StageEditor::stageCount() const
{
    return doc_->stageCount();
}

int StageEditor::currentStage() const
{
    return current_;
}

void StageEditor::setCurrentStage(int index)
{
    stageList_->setCurrentRow(index);
}

void StageEditor::rebuildList()
{
    const QSignalBlocker block(stageList_);
    stageList_->clear();
    for (int i = 0; i < stageCount(); ++i) {
        new QListWidgetItem(stageTitle(i), stageList_);
        stageList_->item(i)->setToolTip(stageTitle(i));
    }
    current_ = stageCount() == 0 ? -1 : std::clamp(current_, 0, stageCount() - 1);
    stageList_->setCurrentRow(current_);
    removeButton_->setEnabled(current_ >= 0);
    upButton_->setEnabled(current_ > 0);
    downButton_->setEnabled(current_ >= 0 && current_ + 1 < stageCount());
}

void StageEditor::rebuildForm()
{
    removeButton_->setEnabled(current_ >= 0);
    upButton_->setEnabled(current_ > 0);
    downButton_->setEnabled(current_ >= 0 && current_ + 1 < stageCount());
    const auto kind = doc_->stageKind(current_);
    if (!doc_->stage(current_))
        formTitle_->setText(tr("No stage"));
    else if (!kind)
        formTitle_->setText(tr("Stage %1: unknown kind").arg(current_ + 1));
    else
        formTitle_->setText(tr("Stage %1: %2").arg(current_ + 1).arg(kindName(*kind)));
    auto* form = new StageForm(*doc_, current_);
    connect(form, &StageForm::edited, this, &StageEditor::regenerate);
    formArea_->setWidget(form); // deletes the previous form
}

QWidget* StageEditor::fieldEditor(const QString& keyPath) const
{
    return formArea_->widget() ? formArea_->widget()->findChild<QWidget*>(keyPath) : nullptr;
}

void StageEditor::addStage(StageKind kind)
{
    const int at = current_ < 0 ? stageCount() : current_ + 1;
    doc_->insertStage(at, kind);
    current_ = at;
    stageListEdited();
}

void StageEditor::removeStage(int index)
{
    if (!doc_->removeStage(index))
        return;
    current_ = std::min(index, stageCount() - 1);
    stageListEdited();
}

void StageEditor::moveStage(int from, int to)
{
    if (!doc_->moveStage(from, to))
        return;
    current_ = to;
    stageListEdited();
}

void StageEditor::stageListEdited()
{
    regenerate();
    rebuildList();
    rebuildForm();
    revealStage(current_);
}

void StageEditor::chooseOpen()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open recipe"), recipeDirectory_, tr("Recipes (*.toml)"));
    if (!path.isEmpty())
        openRecipe(path);
}

void StageEditor::chooseSave()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save recipe"), path_.isEmpty() ? QStringLiteral("recipe.toml") : path_, tr("Recipes (*.toml)"));
    if (!path.isEmpty())
        saveRecipe(path);
}

} // namespace thinkbench::widgets
