#include "widgets/stage_editor.h"

#include <toml++/toml.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleValidator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <charconv>
#include <climits>
#include <optional>
#include <regex>
#include <sstream>
#include <type_traits>

namespace thinkbench::widgets {

using core::StageKind;

struct StageEditor::Document {
    toml::table table;

    toml::array* stages() { return table["stages"].as_array(); }
    toml::table* stage(int index)
    {
        toml::array* array = stages();
        if (!array || index < 0 || size_t(index) >= array->size())
            return nullptr;
        return array->get(size_t(index))->as_table();
    }
};

namespace {

constexpr int kKindCount = int(StageKind::Eval) + 1;

QString kindName(StageKind kind)
{
    return QString::fromUtf8(core::stageKindName(kind).data(),
                             qsizetype(core::stageKindName(kind).size()));
}

core::StageSpec defaultStage(StageKind kind, const std::string& name)
{
    core::StageSpec stage;
    stage.kind = kind;
    stage.name = name;
    switch (kind) {
    case StageKind::Pretrain:
        stage.settings = core::PretrainSettings{};
        break;
    case StageKind::Sft:
        stage.settings = core::SftSettings{};
        break;
    case StageKind::Grpo:
        stage.settings = core::GrpoSettings{};
        break;
    case StageKind::RejectionSampling:
        stage.settings = core::RejectionSamplingSettings{};
        break;
    case StageKind::Distill:
        stage.settings = core::DistillSettings{};
        break;
    case StageKind::Eval:
        stage.settings = core::EvalSettings{};
        break;
    }
    return stage;
}

std::optional<StageKind> kindOf(const toml::table& stage)
{
    const auto name = stage["kind"].value<std::string>();
    for (int k = 0; name && k < kKindCount; ++k)
        if (core::stageKindName(StageKind(k)) == *name)
            return StageKind(k);
    return std::nullopt;
}

// The stage's table of `path` minus its last key, created where missing.
toml::table& parentTable(toml::table& stage, const QStringList& path)
{
    toml::table* table = &stage;
    for (int i = 0; i + 1 < path.size(); ++i) {
        const std::string key = path[i].toStdString();
        if (!(*table)[key].is_table())
            table->insert_or_assign(key, toml::table{});
        table = (*table)[key].as_table();
    }
    return *table;
}

// toml++ writes floats with 17 digits (0.9 as 0.90000000000000002) and strings as 'literals';
// the view shows the shortest float that reads back the same and "basic" strings, as people write.
std::string formatToml(const toml::table& table)
{
    std::ostringstream out;
    out << toml::toml_formatter(table, toml::toml_formatter::default_flags &
                                           ~toml::format_flags::allow_literal_strings &
                                           ~toml::format_flags::indentation)
        << "\n";
    static const std::regex floatLine(R"(^(\s*[A-Za-z0-9_."-]+ = )(-?[0-9][0-9.eE+-]*)$)");
    std::istringstream in(out.str());
    std::string result, line;
    std::smatch match;
    while (std::getline(in, line)) {
        if (std::regex_match(line, match, floatLine) &&
            match[2].str().find_first_of(".eE") != std::string::npos) {
            const std::string token = match[2].str();
            double value = 0;
            if (std::from_chars(token.data(), token.data() + token.size(), value).ec ==
                std::errc()) {
                char buffer[32];
                const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
                std::string shortest(buffer, end);
                if (shortest.find_first_of(".eEn") == std::string::npos)
                    shortest += ".0"; // still a float to TOML
                line = match[1].str() + shortest;
            }
        }
        result += line + '\n';
    }
    return result;
}

QString numberText(double v)
{
    return QString::number(v, 'g', 12);
}

} // namespace

// Builds the form of one stage: every field of the stage kind's defaults (so fields the file
// leaves out still show, at their default), valued from the document, typed by the default.
class StageEditor::FormBuilder {
public:
    FormBuilder(StageEditor& editor, int stage)
        : editor_(editor)
        , stage_(stage)
    {
    }

    void fields(QFormLayout* form, const nlohmann::json& defaults, const toml::table* values,
                const QStringList& path)
    {
        for (const auto& [key, fallback] : defaults.items()) {
            const QString name = QString::fromStdString(key);
            const toml::node* node = values ? values->get(key) : nullptr;
            const QStringList sub = path + QStringList{name};
            if (fallback.is_object()) {
                // A settings group has fields of its own; an empty object is a free-form table
                // (e.g. a distillation student's config.json fields).
                auto* box = new QGroupBox(name);
                box->setObjectName(sub.join('.'));
                auto* inner = new QFormLayout(box);
                if (!fallback.empty())
                    this->fields(inner, fallback, node ? node->as_table() : nullptr, sub);
                else if (node && node->is_table() && !node->as_table()->empty())
                    freeFields(inner, *node->as_table(), sub);
                else
                    inner->addRow(
                        new QLabel(StageEditor::tr("(empty: add keys in the TOML view)")));
                form->addRow(box);
            } else {
                form->addRow(name, field(fallback, node, sub));
            }
        }
    }

private:
    void freeFields(QFormLayout* form, const toml::table& values, const QStringList& path)
    {
        for (const auto& [key, node] : values) {
            const QString name = QString::fromUtf8(key.str().data(), qsizetype(key.str().size()));
            const QStringList sub = path + QStringList{name};
            nlohmann::json kind;
            if (node.is_integer())
                kind = 0;
            else if (node.is_floating_point())
                kind = 0.0;
            else if (node.is_boolean())
                kind = false;
            else if (node.is_string())
                kind = "";
            else if (node.is_table()) {
                auto* box = new QGroupBox(name);
                auto* inner = new QFormLayout(box);
                freeFields(inner, *node.as_table(), sub);
                form->addRow(box);
                continue;
            } else {
                continue; // arrays of mixed values are edited in the TOML view
            }
            form->addRow(name, field(kind, &node, sub));
        }
    }

    QWidget* field(const nlohmann::json& kind, const toml::node* node, const QStringList& path)
    {
        QWidget* widget = nullptr;
        if (kind.is_number_integer()) {
            const int64_t value =
                node && node->is_integer() ? *node->value<int64_t>() : kind.get<int64_t>();
            auto* spin = new QSpinBox;
            spin->setRange(int(std::min<int64_t>(0, value)), INT_MAX);
            spin->setValue(int(value));
            spin->setAccelerated(true);
            QObject::connect(spin, &QSpinBox::valueChanged, &editor_,
                             [editor = &editor_, stage = stage_, path](int v) {
                                 set(editor, stage, path, int64_t(v));
                             });
            widget = spin;
        } else if (kind.is_number()) {
            const double value =
                node && node->is_number() ? *node->value<double>() : kind.get<double>();
            auto* edit = new QLineEdit(numberText(value));
            auto* validator = new QDoubleValidator(edit);
            validator->setNotation(QDoubleValidator::ScientificNotation);
            validator->setLocale(QLocale::c());
            edit->setValidator(validator);
            QObject::connect(edit, &QLineEdit::textEdited, &editor_,
                             [editor = &editor_, stage = stage_, path, edit] {
                                 bool ok = false;
                                 const double v = QLocale::c().toDouble(edit->text(), &ok);
                                 if (ok && edit->hasAcceptableInput())
                                     set(editor, stage, path, v);
                             });
            widget = edit;
        } else if (kind.is_boolean()) {
            auto* check = new QCheckBox;
            check->setChecked(node && node->is_boolean() ? *node->value<bool>() : kind.get<bool>());
            QObject::connect(
                check, &QCheckBox::toggled, &editor_,
                [editor = &editor_, stage = stage_, path](bool v) { set(editor, stage, path, v); });
            widget = check;
        } else if (kind.is_array()) {
            // A list of strings, written comma-separated.
            QStringList items;
            if (const toml::array* array = node ? node->as_array() : nullptr)
                for (const auto& item : *array)
                    if (auto s = item.value<std::string>())
                        items << QString::fromStdString(*s);
            auto* edit = new QLineEdit(items.join(QStringLiteral(", ")));
            edit->setPlaceholderText(StageEditor::tr("comma-separated"));
            QObject::connect(edit, &QLineEdit::textEdited, &editor_,
                             [editor = &editor_, stage = stage_, path](const QString& text) {
                                 toml::array array;
                                 for (const QString& item : text.split(',', Qt::SkipEmptyParts))
                                     if (!item.trimmed().isEmpty())
                                         array.push_back(item.trimmed().toStdString());
                                 set(editor, stage, path, std::move(array));
                             });
            widget = edit;
        } else {
            const auto value = node ? node->value<std::string>() : std::nullopt;
            auto* edit =
                new QLineEdit(QString::fromStdString(value ? *value : kind.get<std::string>()));
            QObject::connect(edit, &QLineEdit::textEdited, &editor_,
                             [editor = &editor_, stage = stage_, path](const QString& text) {
                                 set(editor, stage, path, text.toStdString());
                             });
            widget = edit;
        }
        widget->setObjectName(path.join('.'));
        return widget;
    }

    // Connected to the form's widgets, which outlive this builder: no `this` in there.
    template <typename T>
    static void set(StageEditor* editor, int stage, const QStringList& path, T value)
    {
        toml::table* table = editor->doc_->stage(stage);
        if (!table)
            return;
        toml::table& parent = parentTable(*table, path);
        if constexpr (std::is_same_v<T, toml::array>) {
            // core's reader rejects `[]` (no element type to check), and an empty list is the
            // default anyway: leave the key out.
            if (value.empty()) {
                parent.erase(path.last().toStdString());
                editor->regenerate();
                return;
            }
        }
        parent.insert_or_assign(path.last().toStdString(), std::move(value));
        editor->regenerate();
    }

    StageEditor& editor_;
    int stage_;
};

StageEditor::StageEditor(QWidget* parent)
    : QWidget(parent)
    , doc_(std::make_unique<Document>())
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
    for (int k = 0; k < kKindCount; ++k)
        kindBox_->addItem(kindName(StageKind(k)), k);
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
    connect(addButton_, &QPushButton::clicked, this,
            [this] { addStage(StageKind(kindBox_->currentData().toInt())); });
    connect(removeButton_, &QPushButton::clicked, this, [this] { removeStage(currentStage()); });
    connect(upButton_, &QPushButton::clicked, this,
            [this] { moveStage(currentStage(), currentStage() - 1); });
    connect(downButton_, &QPushButton::clicked, this,
            [this] { moveStage(currentStage(), currentStage() + 1); });
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
    for (const QFileInfo& file :
         dir.entryInfoList({QStringLiteral("*.toml")}, QDir::Files, QDir::Name))
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
        showIssues(
            {{path.toStdString(), 0, 0, "", tr("cannot read the recipe file").toStdString()}});
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
        showIssues(
            {{path.toStdString(), 0, 0, "", tr("cannot write the recipe file").toStdString()}});
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
    if (!issues.empty() && !adoptInvalid) {
        valid_ = false;
        showIssues(issues);
        setFormEnabled(false);
        return;
    }
    try {
        doc_->table = toml::parse(text, file);
    } catch (const toml::parse_error&) {
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
    const std::string text = formatToml(doc_->table);
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
    const toml::table& stage = *doc_->stage(index);
    const auto kind = kindOf(stage);
    return QStringLiteral("%1. %2 (%3)")
        .arg(index + 1)
        .arg(QString::fromStdString(stage["name"].value_or(std::string())),
             kind ? kindName(*kind) : tr("unknown kind"));
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
    for (QWidget* widget :
         std::initializer_list<QWidget*>{formArea_, stageList_, kindBox_, addButton_})
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
    const toml::array* stages = doc_->stages();
    return stages ? int(stages->size()) : 0;
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
    auto* form = new QWidget;
    auto* layout = new QFormLayout(form);
    layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const toml::table* stage = doc_->stage(current_);
    const auto kind = stage ? kindOf(*stage) : std::nullopt;
    if (!stage) {
        formTitle_->setText(tr("No stage"));
    } else if (!kind) {
        formTitle_->setText(tr("Stage %1: unknown kind").arg(current_ + 1));
        layout->addRow(new QLabel(tr("Set a valid kind in the TOML view.")));
    } else {
        formTitle_->setText(tr("Stage %1: %2").arg(current_ + 1).arg(kindName(*kind)));
        auto* name =
            new QLineEdit(QString::fromStdString((*stage)["name"].value_or(std::string())));
        name->setObjectName(QStringLiteral("name"));
        connect(name, &QLineEdit::textEdited, this, [this](const QString& text) {
            if (toml::table* s = doc_->stage(current_)) {
                s->insert_or_assign("name", text.toStdString());
                regenerate();
            }
        });
        layout->addRow(tr("name"), name);
        FormBuilder builder(*this, current_);
        builder.fields(layout, core::stageSettingsJson(defaultStage(*kind, "")), stage, {});
    }
    formArea_->setWidget(form); // deletes the previous form
}

QWidget* StageEditor::fieldEditor(const QString& keyPath) const
{
    return formArea_->widget() ? formArea_->widget()->findChild<QWidget*>(keyPath) : nullptr;
}

void StageEditor::addStage(StageKind kind)
{
    if (!doc_->stages())
        doc_->table.insert_or_assign("stages", toml::array{});
    // A unique name, so later stages can refer to it as "stage:NAME".
    std::string name;
    for (int n = 1;; ++n) {
        name = std::string(core::stageKindName(kind)) + (n > 1 ? "-" + std::to_string(n) : "");
        bool taken = false;
        for (int i = 0; i < stageCount(); ++i)
            taken |= (*doc_->stage(i))["name"].value_or(std::string()) == name;
        if (!taken)
            break;
    }
    // Every field written out, at its default, so the TOML shows what the stage will do.
    core::Recipe holder;
    holder.stages.push_back(defaultStage(kind, name));
    toml::table parsed = toml::parse(core::toToml(holder));
    toml::table stage = *parsed["stages"][0].as_table();
    // core::toToml writes empty lists as `[]`, which its own reader rejects; they are defaults.
    for (auto it = stage.begin(); it != stage.end();)
        it = it->second.is_array() && it->second.as_array()->empty() ? stage.erase(it)
                                                                     : std::next(it);
    const int at = current_ < 0 ? stageCount() : current_ + 1;
    toml::array& stages = *doc_->stages();
    stages.insert(stages.cbegin() + at, std::move(stage));
    current_ = at;
    regenerate();
    rebuildList();
    rebuildForm();
    revealStage(current_);
}

void StageEditor::removeStage(int index)
{
    toml::array* stages = doc_->stages();
    if (!stages || index < 0 || size_t(index) >= stages->size())
        return;
    stages->erase(stages->cbegin() + index);
    current_ = std::min(index, stageCount() - 1);
    regenerate();
    rebuildList();
    rebuildForm();
    revealStage(current_);
}

void StageEditor::moveStage(int from, int to)
{
    toml::array* stages = doc_->stages();
    if (!stages || from < 0 || to < 0 || size_t(std::max(from, to)) >= stages->size() || from == to)
        return;
    toml::table moved = *stages->get(size_t(from))->as_table();
    stages->erase(stages->cbegin() + from);
    stages->insert(stages->cbegin() + to, std::move(moved));
    current_ = to;
    regenerate();
    rebuildList();
    rebuildForm();
    revealStage(current_);
}

void StageEditor::chooseOpen()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open recipe"), recipeDirectory_,
                                                      tr("Recipes (*.toml)"));
    if (!path.isEmpty())
        openRecipe(path);
}

void StageEditor::chooseSave()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save recipe"), path_.isEmpty() ? QStringLiteral("recipe.toml") : path_,
        tr("Recipes (*.toml)"));
    if (!path.isEmpty())
        saveRecipe(path);
}

} // namespace thinkbench::widgets
