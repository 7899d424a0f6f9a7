// Recipes: defaults, every error at once with positions and key paths, suggestions, round trip.

#include "core/recipe/recipe.h"
#include "core/recipe/setting_choices.h"

#include <QtTest>

using namespace thinkbench::core;

namespace {

const char* kGood = R"(name = "micro"
seed = 7

[model.config]
model_type = "deepseek_v3"
hidden_size = 64

[[tasks]]
name = "arithmetic"
weight = 2.0
options = { digits = "1-2" }

[[stages]]
kind = "pretrain"
name = "base"
steps = 50

[[stages]]
kind = "grpo"
name = "rl"
group_size = 8
rewards = { accuracy = 1.0, format = 0.5 }

[stages.optimizer]
lr = 1e-5

[[stages]]
kind = "sft"
name = "again"
dataset = "stage:rl"
)";

bool hasIssue(const std::vector<RecipeIssue>& issues, const std::string& text)
{
    for (const auto& issue : issues)
        if (issue.str().find(text) != std::string::npos)
            return true;
    return false;
}

QString dump(const std::vector<RecipeIssue>& issues)
{
    QString out;
    for (const auto& issue : issues)
        out += QString::fromStdString(issue.str()) + "\n";
    return out;
}

} // namespace

class TestRecipe : public QObject {
    Q_OBJECT

private slots:
    void parsesWithDefaults()
    {
        const Recipe recipe = parseRecipe(kGood, "good.toml");
        QCOMPARE(QString::fromStdString(recipe.name), QString("micro"));
        QCOMPARE(recipe.seed, int64_t(7));
        QCOMPARE(recipe.model.config["hidden_size"].get<int>(), 64);
        QCOMPARE(recipe.tasks.at(0).weight, 2.0);
        QCOMPARE(recipe.tasks.at(0).options["digits"].get<std::string>(), std::string("1-2"));
        QCOMPARE(recipe.stages.size(), size_t(3));
        QVERIFY(recipe.stages[0].kind == StageKind::Pretrain);
        QCOMPARE(recipe.stages[0].as<PretrainSettings>().steps, 50);
        const auto& grpo = recipe.stages[1].as<GrpoSettings>();
        QCOMPARE(grpo.group_size, 8);
        QCOMPARE(grpo.optimizer.lr, 1e-5);
        QCOMPARE(grpo.objective.beta, 0.001); // the R1 paper's default
        QCOMPARE(grpo.temperature, 1.0);      // likewise
        QCOMPARE(grpo.rewards.format, 0.5);
        QCOMPARE(grpo.rewards.accuracy, 1.0);
        QCOMPARE(recipe.stages[2].as<SftSettings>().dataset, std::string("stage:rl"));
        QVERIFY(recipe.stage("rl") == &recipe.stages[1]);
    }

    void reportsEveryErrorWithPlaceAndKeyPath()
    {
        const char* bad = R"(name = "bad"

[model.config]
model_type = "qwen2"

[[stages]]
kind = "grpo"
group_size = 1
temprature = 0.7
loss_aggregation = "mean"

[[stages]]
kind = "sft"
dataset = "stage:nowhere"
batch_size = "sixteen"

[[stages]]
kind = "finetune"

[[stages]]
kind = "pretrain"
answer_only = 1.5
)";
        const auto issues = checkRecipe(bad, "bad.toml");
        QVERIFY2(issues.size() == 7, qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "bad.toml:8:14: stages[0].group_size: must be >= 2"), qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "bad.toml:9:14: stages[0].temprature: unknown key; did you mean "
                                  "\"temperature\"?"),
                 qPrintable(dump(issues)));
        // Choices are enums: the message lists the engine's one name table.
        QVERIFY2(hasIssue(issues, "stages[0].loss_aggregation: must be one of token-mean, sequence-mean or "
                                  "constant (got \"mean\")"),
                 qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "bad.toml:15:14: stages[1].batch_size: must be an integer"),
                 qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "stages[1].dataset: \"stage:nowhere\" names no earlier stage"),
                 qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "bad.toml:18:8: stages[2].kind: unknown stage kind \"finetune\"; one of pretrain, "
                                  "sft, grpo, rejection_sampling, distill or eval"),
                 qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "bad.toml:22:15: stages[3].answer_only: must be between 0 and 1"),
                 qPrintable(dump(issues)));
        try {
            parseRecipe(bad, "bad.toml");
            QFAIL("a bad recipe parsed");
        } catch (const RecipeError& e) {
            QCOMPARE(e.issues().size(), issues.size());
            QCOMPARE(e.file(), std::string("bad.toml"));
        }
    }

    void syntaxErrorHasPosition()
    {
        const auto issues = checkRecipe("name = \"x\"\n[model\n", "broken.toml");
        QCOMPARE(issues.size(), size_t(1));
        QCOMPARE(issues[0].line, 2);
        QVERIFY(issues[0].str().rfind("broken.toml:2:", 0) == 0);
    }

    void missingModelAndStages()
    {
        const auto issues = checkRecipe("name = \"x\"\n", "empty.toml");
        QVERIFY(hasIssue(issues, "model: give either model.path"));
        QVERIFY(hasIssue(issues, "stages: a recipe needs at least one"));
    }

    void tomlRoundTrip()
    {
        const Recipe recipe = parseRecipe(kGood, "good.toml");
        const std::string text = toToml(recipe);
        const Recipe again = parseRecipe(text, "written.toml");
        QCOMPARE(toToml(again), text);
        QCOMPARE(again.stages.size(), recipe.stages.size());
        QCOMPARE(again.stages[1].as<GrpoSettings>().optimizer.lr, 1e-5);
        QCOMPARE(again.model.config, recipe.model.config);
        QCOMPARE(stageSettingsJson(again.stages[1])["group_size"].get<int>(), 8);
    }

    // Enum settings read from and write back to their names; the stage editor sees the names.
    void choicesTravelByName()
    {
        Recipe recipe = parseRecipe(kGood, "good.toml");
        auto& grpo = recipe.stages[1].as<GrpoSettings>();
        grpo.objective.loss_aggregation = LossAggregation::SequenceMean;
        grpo.objective.scale_rewards = AdvantageScaling::None;
        recipe.model.dtype = DType::BF16;
        const Recipe again = parseRecipe(toToml(recipe), "written.toml");
        const auto& read = again.stages[1].as<GrpoSettings>();
        QCOMPARE(read.objective.loss_aggregation, LossAggregation::SequenceMean);
        QCOMPARE(read.objective.scale_rewards, AdvantageScaling::None);
        QCOMPARE(again.model.dtype, DType::BF16);
        QVERIFY(toToml(again).find("loss_aggregation = 'sequence-mean'") != std::string::npos ||
                toToml(again).find("loss_aggregation = \"sequence-mean\"") != std::string::npos);
        QCOMPARE(stageSettingsJson(again.stages[1])["scale_rewards"].get<std::string>(), std::string("none"));
        QCOMPARE(stageSettingsJson(again.stages[1])["optimizer"]["schedule"].get<std::string>(),
                 std::string(nameOf(read.optimizer.schedule)));
    }

    void builtInRecipesAreValid()
    {
        const QDir dir(THINKBENCH_SOURCE_DIR "/resources/recipes");
        for (const QString& name : dir.entryList({"*.toml"})) {
            const auto path = dir.filePath(name).toStdString();
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto issues = checkRecipe(file.readAll().toStdString(), path);
            QVERIFY2(issues.empty(), qPrintable(dump(issues)));
        }
    }

    // The stage editor offers these names for a choice: every enum setting, by the key path
    // stageSettingsJson writes, with the enum's names in table order; no other setting.
    void settingChoicesNameEveryEnumSetting()
    {
        StageSpec grpo;
        grpo.settings = GrpoSettings{};
        const SettingChoices choices = stageSettingChoices(grpo);
        QCOMPARE(choices.size(), size_t(7));
        QCOMPARE(choices.at("optimizer.schedule"), (std::vector<std::string>{"cosine", "constant"}));
        QCOMPARE(choices.at("scale_rewards"), (std::vector<std::string>{"std", "batch", "none"}));
        QCOMPARE(choices.at("importance_ratio"), (std::vector<std::string>{"token", "sequence"}));
        QCOMPARE(choices.at("policy_loss"), (std::vector<std::string>{"clipped", "cispo"}));
        QCOMPARE(choices.at("mismatch_correction"),
                 (std::vector<std::string>{"none", "token", "sequence", "token_mask", "sequence_mask"}));
        QCOMPARE(choices.at("loss_aggregation"), (std::vector<std::string>{"token-mean", "sequence-mean", "constant"}));
        QCOMPARE(choices.at("rewards.target_script"), (std::vector<std::string>{"latin", "han", "any"}));
        const nlohmann::json json = stageSettingsJson(grpo);
        for (const auto& [path, names] : choices) { // the default is one of the names
            std::string pointer = "/" + path;
            std::replace(pointer.begin(), pointer.end(), '.', '/');
            const auto value = json.at(nlohmann::json::json_pointer(pointer)).get<std::string>();
            QVERIFY(std::find(names.begin(), names.end(), value) != names.end());
        }

        StageSpec distill;
        distill.settings = DistillSettings{};
        QCOMPARE(stageSettingChoices(distill).count("sft.optimizer.schedule"), size_t(1));
    }

    // The GRPO objective's options (GSPO, dual clip, CISPO, batch scaling, truncation mask, entropy)
    // parse, write back and are refused out of range.
    void grpoObjectiveOptions()
    {
        std::string text = kGood;
        text.replace(text.find("group_size = 8\n"), 15,
                     "group_size = 8\nimportance_ratio = \"sequence\"\npolicy_loss = \"cispo\"\ndelta = 3.0\n"
                     "scale_rewards = \"batch\"\nmask_truncated = true\nentropy_coef = 0.01\n"
                     "top_entropy_quantile = 0.2\n");
        const Recipe recipe = parseRecipe(text, "objective.toml");
        const auto& o = recipe.stages[1].as<GrpoSettings>().objective;
        QCOMPARE(o.importance_ratio, ImportanceLevel::Sequence);
        QCOMPARE(o.policy_loss, PolicyLoss::Cispo);
        QCOMPARE(o.delta, 3.0);
        QCOMPARE(o.scale_rewards, AdvantageScaling::BatchStd);
        QVERIFY(o.mask_truncated);
        QCOMPARE(o.entropy_coef, 0.01);
        QCOMPARE(o.top_entropy_quantile, 0.2);
        const Recipe again = parseRecipe(toToml(recipe), "written.toml");
        QCOMPARE(toToml(again), toToml(recipe));
        QCOMPARE(again.stages[1].as<GrpoSettings>().objective.importance_ratio, ImportanceLevel::Sequence);

        const GrpoObjective defaults = parseRecipe(kGood, "good.toml").stages[1].as<GrpoSettings>().objective;
        QCOMPARE(defaults.importance_ratio, ImportanceLevel::Token);
        QCOMPARE(defaults.policy_loss, PolicyLoss::Clipped);
        QCOMPARE(defaults.delta, 0.0);
        QVERIFY(!defaults.mask_truncated);

        std::string bad = kGood;
        bad.replace(bad.find("group_size = 8\n"), 15,
                    "group_size = 8\nimportance_ratio = \"seq\"\ndelta = 0.5\nentropy_coef = -1\n"
                    "top_entropy_quantile = 1.5\n");
        const auto issues = checkRecipe(bad, "bad.toml");
        QVERIFY2(issues.size() == 4, qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "stages[1].importance_ratio: must be one of token or sequence (got \"seq\")"),
                 qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "stages[1].delta: must be 0 (off) or above 1"), qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "stages[1].entropy_coef: must be >= 0"), qPrintable(dump(issues)));
        QVERIFY2(hasIssue(issues, "stages[1].top_entropy_quantile: must be between 0 and 1"), qPrintable(dump(issues)));
    }

    // The sampler/trainer mismatch correction parses, writes back, is off by default and refuses a
    // cap below 1.
    void mismatchCorrectionOption()
    {
        std::string text = kGood;
        text.replace(text.find("group_size = 8\n"), 15,
                     "group_size = 8\nmismatch_correction = \"sequence\"\nmismatch_cap = 3.0\n");
        const Recipe recipe = parseRecipe(text, "mismatch.toml");
        const auto& o = recipe.stages[1].as<GrpoSettings>().objective;
        QCOMPARE(o.mismatch_correction, MismatchCorrection::Sequence);
        QCOMPARE(o.mismatch_cap, 3.0);
        QCOMPARE(toToml(parseRecipe(toToml(recipe), "written.toml")), toToml(recipe));
        const GrpoObjective defaults = parseRecipe(kGood, "good.toml").stages[1].as<GrpoSettings>().objective;
        QCOMPARE(defaults.mismatch_correction, MismatchCorrection::None);

        std::string bad = kGood;
        bad.replace(bad.find("group_size = 8\n"), 15, "group_size = 8\nmismatch_cap = 0.5\n");
        const auto issues = checkRecipe(bad, "bad.toml");
        QVERIFY2(issues.size() == 1 && hasIssue(issues, "stages[1].mismatch_cap: must be >= 1"),
                 qPrintable(dump(issues)));
    }
};

QTEST_APPLESS_MAIN(TestRecipe)
#include "tst_recipe.moc"
