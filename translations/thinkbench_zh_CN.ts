<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ModelPathDialog</name>
    <message>
        <location filename="../widgets/common/model_path_dialog.cpp" line="14"/>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../widgets/common/model_path_dialog.cpp" line="15"/>
        <source>Models (*.gguf config.json);;GGUF files (*.gguf);;Model folders (config.json)</source>
        <translation>模型 (*.gguf config.json);;GGUF 文件 (*.gguf);;模型文件夹 (config.json)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="75"/>
        <source>Answer:</source>
        <translation>答案：</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="76"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="32"/>
        <source>A workbench for reasoning models in the style of DeepSeek-R1</source>
        <translation>DeepSeek-R1 风格推理模型的工作台</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="35"/>
        <source>Interface language, e.g. zh_CN</source>
        <translation>界面语言，例如 zh_CN</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="37"/>
        <source>Write the curves of a run to a PNG and exit</source>
        <translation>将某次运行的曲线写入 PNG 文件后退出</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="41"/>
        <source>Metrics to plot, comma-separated</source>
        <translation>要绘制的指标，以逗号分隔</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="43"/>
        <source>Run to plot (default: the latest)</source>
        <translation>要绘制的运行（默认：最新一次）</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="45"/>
        <source>Write the main window to a PNG and exit</source>
        <translation>将主窗口保存为 PNG 后退出</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="47"/>
        <source>Run database to open</source>
        <translation>要打开的运行数据库</translation>
    </message>
</context>
<context>
    <name>thinkbench::app::MainWindow</name>
    <message>
        <location filename="../app/gui/main_window.cpp" line="69"/>
        <source>ThinkBench</source>
        <translation>ThinkBench</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="76"/>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="83"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="84"/>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="85"/>
        <source>Traces</source>
        <translation>推理轨迹</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="86"/>
        <source>Annotations</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="87"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="88"/>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="89"/>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="90"/>
        <source>Emergence</source>
        <translation>涌现</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="92"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="169"/>
        <source>Run %1</source>
        <translation>运行状态：%1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="182"/>
        <source>Cannot write the recipe for the run to %1</source>
        <translation>无法将本次运行的配方写入 %1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="204"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="205"/>
        <source>&amp;Open run database…</source>
        <translation>打开运行数据库(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="207"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="209"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="211"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="212"/>
        <source>&amp;Layout</source>
        <translation>布局(&amp;L)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="254"/>
        <source>%1 opened read-only: %2</source>
        <translation>已以只读方式打开 %1：%2</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="273"/>
        <source>ThinkBench — %1</source>
        <translation>ThinkBench — %1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="280"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="294"/>
        <source>Open run database</source>
        <translation>打开运行数据库</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="295"/>
        <source>Run databases (*.sqlite *.db);;All files (*)</source>
        <translation>运行数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/gui/layout_presets.cpp" line="92"/>
        <source>Monitor a run</source>
        <translation>监控运行</translation>
    </message>
    <message>
        <location filename="../app/gui/layout_presets.cpp" line="94"/>
        <source>Inspect traces</source>
        <translation>检查推理轨迹</translation>
    </message>
    <message>
        <location filename="../app/gui/layout_presets.cpp" line="96"/>
        <source>Compare models</source>
        <translation>比较模型</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::AnnotationPanel</name>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="56"/>
        <source>correct step</source>
        <translation>正确步骤</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="56"/>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="56"/>
        <source>self-verification</source>
        <translation>自我验证</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="56"/>
        <source>reflection</source>
        <translation>反思</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="57"/>
        <source>backtrack</source>
        <translation>回溯</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="57"/>
        <source>redundant</source>
        <translation>冗余</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="57"/>
        <source>language mixing</source>
        <translation>语言混杂</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="59"/>
        <source>No trace open</source>
        <translation>未打开推理轨迹</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="62"/>
        <source>Label the current step or selection</source>
        <translation>为当前步骤或所选内容添加标签</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="65"/>
        <source>Edit labels…</source>
        <translation>编辑标签…</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="67"/>
        <source>Trace verdict</source>
        <translation>推理轨迹判定</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="69"/>
        <source>correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="69"/>
        <source>flawed</source>
        <translation>有瑕疵</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="69"/>
        <source>wrong</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="69"/>
        <source>unclear</source>
        <translation>不明确</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="71"/>
        <source>Note on this trace</source>
        <translation>关于此推理轨迹的备注</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="72"/>
        <source>Save verdict</source>
        <translation>保存判定</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="75"/>
        <source>&amp;Verdict:</source>
        <translation>判定(&amp;V)：</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="76"/>
        <source>&amp;Note:</source>
        <translation>备注(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="80"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="85"/>
        <source>Export JSONL…</source>
        <translation>导出 JSONL…</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="92"/>
        <source>Annotations of this trace:</source>
        <translation>此推理轨迹的标注：</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="96"/>
        <source>Samples labelled:</source>
        <translation>已标注样本：</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="114"/>
        <source>Annotation labels</source>
        <translation>标注标签</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="114"/>
        <source>One label per line:</source>
        <translation>每行一个标签：</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="128"/>
        <source>Export annotations</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="128"/>
        <source>JSON lines (*.jsonl)</source>
        <translation>JSON Lines 文件 (*.jsonl)</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="270"/>
        <source>No stored trace open</source>
        <translation>未打开已存储的推理轨迹</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="274"/>
        <source>Step %1 of %2 · %3 selected characters</source>
        <translation>第 %1 步，共 %2 步 · 已选 %3 个字符</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="278"/>
        <source>No reasoning steps</source>
        <translation>无推理步骤</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="286"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="288"/>
        <source>chars %1–%2</source>
        <translation>字符 %1–%2</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="290"/>
        <source>trace</source>
        <translation>整条轨迹</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="291"/>
        <source>verdict: %1</source>
        <translation>判定：%1</translation>
    </message>
    <message>
        <location filename="../widgets/annotation_panel.cpp" line="321"/>
        <source>Sample %1</source>
        <translation>样本 %1</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::BatchEvaluation</name>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="50"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="51"/>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="104"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="54"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="57"/>
        <source>Run batch</source>
        <translation>运行批量评测</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="58"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="67"/>
        <source>A built-in task family; its held-out split is used</source>
        <translation>内置任务系列；使用其留出集</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="68"/>
        <source>JSONL or JSON problems</source>
        <translation>JSONL 或 JSON 格式的题目</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="73"/>
        <source>%v / %m problems × models</source>
        <translation>%v / %m（题目 × 模型）</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="78"/>
        <source>Double-click a problem&apos;s cell to open its first sample</source>
        <translation>双击题目对应的单元格可打开其第一个样本</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="87"/>
        <source>Problems</source>
        <translation>题目数</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="88"/>
        <source>Samples per problem (k)</source>
        <translation>每题样本数 (k)</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="105"/>
        <source>Problems (*.jsonl *.json);;All files (*)</source>
        <translation>题目 (*.jsonl *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="183"/>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="194"/>
        <source>No problems to evaluate.</source>
        <translation>没有可评测的题目。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="234"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="234"/>
        <source>pass@1</source>
        <translation>pass@1</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="234"/>
        <source>cons@%1</source>
        <translation>cons@%1</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="235"/>
        <source>pass@%1</source>
        <translation>pass@%1</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="235"/>
        <source>Mean length</source>
        <translation>平均长度</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="235"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="270"/>
        <source>consensus: %1</source>
        <translation>共识答案：%1</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="270"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="276"/>
        <source>Batch stopped: the table covers the problems finished before Stop.</source>
        <translation>批量评测已停止：表中仅包含停止前已完成的题目。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/batch_evaluation.cpp" line="294"/>
        <source>%1 · problem %2 (%3) · sample 1 of %4</source>
        <translation>%1 · 第 %2 题（%3）· 样本 1/%4</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::BlindVote</name>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="18"/>
        <source>Which reply is better?</source>
        <translation>哪个回复更好？</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="19"/>
        <source>A is better</source>
        <translation>A 更好</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="20"/>
        <source>B is better</source>
        <translation>B 更好</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="21"/>
        <source>Tie</source>
        <translation>平局</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="22"/>
        <source>Both are bad</source>
        <translation>都不好</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="88"/>
        <source>A was %1, B was %2.</source>
        <translation>A 是 %1，B 是 %2。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/blind_vote.cpp" line="88"/>
        <source>A was %1, B was %2. No run database is open: the vote was not kept.</source>
        <translation>A 是 %1，B 是 %2。未打开运行数据库：本次投票未保存。</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ChatPanel</name>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="42"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="44"/>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="45"/>
        <location filename="../widgets/chat_panel.cpp" line="136"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="50"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="51"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="52"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Model folder (config.json, *.safetensors, tokenizer.json) or endpoint URL#MODEL</source>
        <translation type="vanished">模型文件夹（config.json、*.safetensors、tokenizer.json）或端点 URL#模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="78"/>
        <source>Message (Enter sends, Shift+Enter starts a new line)</source>
        <translation>消息（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="83"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation type="vanished">模型文件夹</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/chat_panel.cpp" line="144"/>
        <location filename="../widgets/chat_panel.cpp" line="160"/>
        <source>%n token(s) · %1 tok/s</source>
        <translation>
            <numerusform>%n 个 token · %1 tok/s</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="152"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="153"/>
        <source>hit the token limit</source>
        <translation>达到 token 上限</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="154"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/chat_panel.cpp" line="155"/>
        <source>%n token(s) · %1 tok/s · %2</source>
        <translation>
            <numerusform>%n 个 token · %1 tok/s · %2</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="175"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="203"/>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="235"/>
        <source>You: %1</source>
        <translation>你：%1</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="240"/>
        <location filename="../widgets/chat_panel.cpp" line="245"/>
        <source>Reasoning: %1</source>
        <translation>推理：%1</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="241"/>
        <location filename="../widgets/chat_panel.cpp" line="245"/>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="265"/>
        <source>Chat with %1 · reply %2</source>
        <translation>与 %1 的对话 · 第 %2 条回复</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="285"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="298"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="307"/>
        <source>Open in trace stepper</source>
        <translation>在推理轨迹面板中打开</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="43"/>
        <source>Remote…</source>
        <translation>远程…</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="57"/>
        <source>Model folder (config.json, *.safetensors, tokenizer.json), .gguf file or endpoint URL#MODEL</source>
        <translation>模型文件夹（config.json、*.safetensors、tokenizer.json）、.gguf 文件或端点 URL#模型</translation>
    </message>
    <message>
        <location filename="../widgets/chat_panel.cpp" line="58"/>
        <source>A model served by an OpenAI-compatible endpoint</source>
        <translation>由 OpenAI 兼容端点提供服务的模型</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ComparePanel</name>
    <message>
        <location filename="../widgets/compare_panel.cpp" line="33"/>
        <source>Side by side</source>
        <translation>并排对比</translation>
    </message>
    <message>
        <location filename="../widgets/compare_panel.cpp" line="34"/>
        <source>Batch</source>
        <translation>批量评测</translation>
    </message>
    <message>
        <location filename="../widgets/compare_panel.cpp" line="45"/>
        <source>Model %1: %2</source>
        <translation>模型 %1：%2</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::CurvesPanel</name>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="48"/>
        <source>Log y</source>
        <translation>对数 y 轴</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="49"/>
        <source>Ignore outliers</source>
        <translation>忽略离群值</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curves_chooser.cpp" line="28"/>
        <source>All metrics</source>
        <translation>全部指标</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="73"/>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="73"/>
        <source>Single chart</source>
        <translation>单个图表</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curve_painter.cpp" line="267"/>
        <location filename="../widgets/curves_panel.cpp" line="57"/>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="58"/>
        <source>Relative time</source>
        <translation>相对时间</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curve_painter.cpp" line="277"/>
        <location filename="../widgets/curves_panel.cpp" line="59"/>
        <source>Wall time</source>
        <translation>墙钟时间</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curves_chooser.cpp" line="33"/>
        <source>Runs to overlay</source>
        <translation>要叠加显示的运行</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curves_chooser.cpp" line="34"/>
        <source>Metrics to plot</source>
        <translation>要绘制的指标</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="66"/>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="67"/>
        <source>Export the plotted points as CSV</source>
        <translation>将绘制的数据点导出为 CSV</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="68"/>
        <source>PNG…</source>
        <translation>PNG…</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="69"/>
        <source>Export the plot as PNG</source>
        <translation>将图表导出为 PNG</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curves_chooser.cpp" line="38"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="84"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="89"/>
        <source>X axis</source>
        <translation>X 轴</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="105"/>
        <source>Move over the plot to read values; click a point to open its samples.</source>
        <translation>将鼠标移到图表上可读取数值；单击数据点可打开其样本。</translation>
    </message>
    <message>
        <source>Cannot read runs: %1</source>
        <translation type="vanished">无法读取运行：%1</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="335"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="297"/>
        <source>Cannot read the run database: %1</source>
        <translation>无法读取运行数据库：%1</translation>
    </message>
    <message>
        <location filename="../widgets/curves/curve_painter.cpp" line="271"/>
        <source>Seconds since run start</source>
        <translation>自运行开始以来的秒数</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="457"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="460"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="473"/>
        <source>%1 %2 (raw %3)</source>
        <translation>%1 %2（原始值 %3）</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="564"/>
        <source>Export curves as CSV</source>
        <translation>将曲线导出为 CSV</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="565"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="567"/>
        <location filename="../widgets/curves_panel.cpp" line="575"/>
        <source>Cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="572"/>
        <source>Export plot as PNG</source>
        <translation>将图表导出为 PNG</translation>
    </message>
    <message>
        <location filename="../widgets/curves_panel.cpp" line="573"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::DashboardView</name>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="36"/>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="47"/>
        <source>Filter metrics</source>
        <translation>筛选指标</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="46"/>
        <source>Filter metrics (regular expression)</source>
        <translation>筛选指标（正则表达式）</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="49"/>
        <source>Unfold every family, not only those the runs&apos; stages are watched by</source>
        <translation>展开所有类别，而不只是这些运行的阶段所关注的类别</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="50"/>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="51"/>
        <source>Show every step in every chart</source>
        <translation>在每个图表中显示全部步数</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="188"/>
        <source>Cannot read the run database: %1</source>
        <translation>无法读取运行数据库：%1</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="286"/>
        <source>Pinned</source>
        <translation>已固定</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="307"/>
        <source>Choose runs in the list to see their metrics.</source>
        <translation>在列表中选择运行以查看其指标。</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="309"/>
        <source>The chosen runs have no metrics yet.</source>
        <translation>所选运行尚无指标。</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="311"/>
        <source>No metric matches the filter.</source>
        <translation>没有指标匹配筛选条件。</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="325"/>
        <source>Invalid regular expression at %1: %2</source>
        <translation>正则表达式在位置 %1 无效：%2</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="334"/>
        <source>Only the metrics whose name matches; pinned ones too</source>
        <translation>只显示名称匹配的指标，已固定的也一样</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/dashboard_view.cpp" line="364"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::EmergenceSlide</name>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="29"/>
        <source>Early in the stage</source>
        <translation>阶段早期</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="30"/>
        <source>Late in the stage</source>
        <translation>阶段后期</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="61"/>
        <source>held-out pass@1 %1 → %2 (first → last evaluation)</source>
        <translation>留出集 pass@1 %1 → %2（首次 → 末次评测）</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="66"/>
        <source>mean length %1 → %2 tokens</source>
        <translation>平均长度 %1 → %2 个 token</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="68"/>
        <source>reflection markers in %1 → %2 of responses</source>
        <translation>含反思标记的回答 %1 → %2</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="70"/>
        <source> (first → last tenth of the steps)</source>
        <translation>（前十分之一 → 后十分之一步）</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="72"/>
        <source>pass@1 %1 before → %2 after the stage (eval stages)</source>
        <translation>pass@1 阶段前 %1 → 阶段后 %2（评测阶段）</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="75"/>
        <source>no held-out pass@1 during the stage</source>
        <translation>阶段中无留出集 pass@1</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="78"/>
        <location filename="../widgets/emergence/emergence_slide.cpp" line="79"/>
        <source>No samples stored in this stage.</source>
        <translation>此阶段未存储样本。</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::EmergenceView</name>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="20"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="25"/>
        <source>The GRPO stage whose story is shown</source>
        <translation>所显示的 GRPO 阶段</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="26"/>
        <source>Save the view as one %1 × %2 PNG for a slide</source>
        <translation>将视图保存为一张 %1 × %2 的 PNG，用于幻灯片</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="32"/>
        <source>GRPO stage:</source>
        <translation>GRPO 阶段：</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="99"/>
        <source>Select a run in the Runs panel to see how its reasoning emerged during reinforcement learning.</source>
        <translation>在“运行”面板中选择一次运行，查看其推理能力在强化学习中如何涌现。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="105"/>
        <source>Run #%1 is not in %2.</source>
        <translation>运行 #%1 不在 %2 中。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="112"/>
        <source>Run #%1 %2 has no GRPO stage. The emergence story is told by reinforcement learning: a grpo stage in the recipe.</source>
        <translation>运行 #%1 %2 没有 GRPO 阶段。涌现过程来自强化学习：配方中需要一个 grpo 阶段。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="121"/>
        <source>no steps yet</source>
        <translation>尚无步骤</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="121"/>
        <source>steps %1–%2</source>
        <translation>步骤 %1–%2</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="161"/>
        <source>Stage &quot;%1&quot; has written no pass@1, length or reflection metrics yet.</source>
        <translation>阶段“%1”尚未写入 pass@1、长度或反思指标。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="167"/>
        <source>No held-out evaluations during stage &quot;%1&quot;: pass@1 is measured during a stage every eval_every steps (a setting of the stage).</source>
        <translation>阶段“%1”中没有留出集评测：阶段内每 eval_every 步（阶段设置）测一次 pass@1。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="171"/>
        <source> Only length and reflection markers are shown.</source>
        <translation>仅显示长度和反思标记。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="172"/>
        <source> Shown: pass@1 of the eval stages before and after it.</source>
        <translation>显示的是其前后评测阶段的 pass@1。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="177"/>
        <source>Run #%1 %2 · GRPO stage &quot;%3&quot;</source>
        <translation>运行 #%1 %2 · GRPO 阶段“%3”</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="183"/>
        <source>Nothing to export: no story is shown.</source>
        <translation>没有可导出的内容：未显示任何视图。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="193"/>
        <source>Cannot write the PNG %1.</source>
        <translation>无法写入 PNG %1。</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="204"/>
        <source>Export PNG</source>
        <translation>导出 PNG</translation>
    </message>
    <message>
        <location filename="../widgets/emergence_view.cpp" line="204"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::GroupView</name>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="86"/>
        <location filename="../widgets/trace/group_view.cpp" line="208"/>
        <source>Open a GRPO step to see its groups.</source>
        <translation>打开一个 GRPO 步骤以查看其各组。</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="91"/>
        <source>GRPO groups of the step</source>
        <translation>该步骤的 GRPO 组</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="92"/>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="92"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="92"/>
        <source>Mean reward</source>
        <translation>平均奖励</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="92"/>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="92"/>
        <source>Signal</source>
        <translation>信号</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="106"/>
        <source>GRPO group responses</source>
        <translation>GRPO 组的回答</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Advantage</source>
        <translation>优势</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="108"/>
        <source>Reward parts</source>
        <translation>奖励组成</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="116"/>
        <source>Click a header to sort; pick two rows to diff them</source>
        <translation>点击表头排序；选中两行以比较差异</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="118"/>
        <source>Open in trace</source>
        <translation>在轨迹中打开</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="119"/>
        <source>Diff two responses</source>
        <translation>比较两个回答</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="121"/>
        <source>Select two responses to compare them step by step</source>
        <translation>选择两个回答以逐步比较</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="199"/>
        <source>⚠ zero std: teaches nothing</source>
        <translation>⚠ 标准差为零：不提供学习信号</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace/group_view.cpp" line="200"/>
        <source>%n response(s)</source>
        <translation>
            <numerusform>%n 个回答</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="209"/>
        <source>No GRPO groups stored at step %1. Runs from before groups were stored, stages other than GRPO and stored_groups = 0 keep single samples only.</source>
        <translation>第 %1 步没有保存 GRPO 组。保存组之前的运行、非 GRPO 阶段以及 stored_groups = 0 的阶段只保留单个样本。</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace/group_view.cpp" line="220"/>
        <source>Step %1: %n group(s) stored</source>
        <translation>
            <numerusform>第 %1 步：已保存 %n 个组</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace/group_view.cpp" line="221"/>
        <source>, %n with zero std (all rewards equal, every advantage 0)</source>
        <translation>
            <numerusform>，其中 %n 个标准差为零（奖励全部相同，优势均为 0）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="245"/>
        <source>&lt;b&gt;Group %1&lt;/b&gt;: every response got reward %2, so every advantage is 0 and the group &lt;span style=&quot;color:#a05a00&quot;&gt;&lt;b&gt;teaches nothing&lt;/b&gt;&lt;/span&gt;.</source>
        <translation>&lt;b&gt;组 %1&lt;/b&gt;：每个回答的奖励都是 %2，因此优势均为 0，该组&lt;span style=&quot;color:#a05a00&quot;&gt;&lt;b&gt;不提供学习信号&lt;/b&gt;&lt;/span&gt;。</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="249"/>
        <source>&lt;b&gt;Group %1&lt;/b&gt;: %2 responses, mean reward %3, std %4.</source>
        <translation>&lt;b&gt;组 %1&lt;/b&gt;：%2 个回答，平均奖励 %3，标准差 %4。</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="270"/>
        <location filename="../widgets/trace/group_view.cpp" line="275"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="272"/>
        <location filename="../widgets/trace/group_view.cpp" line="319"/>
        <source>correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="272"/>
        <location filename="../widgets/trace/group_view.cpp" line="319"/>
        <source>wrong</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="314"/>
        <source>#%1 · reward %2 · adv %3 · %4 tok · %5</source>
        <translation>#%1 · 奖励 %2 · 优势 %3 · %4 词元 · %5</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="317"/>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <location filename="../widgets/trace/group_view.cpp" line="322"/>
        <source>Open this response in the trace</source>
        <translation>在轨迹中打开此回答</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::MetricFamily</name>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="56"/>
        <source>Rewards</source>
        <translation>奖励</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="59"/>
        <source>Accuracy / pass@1</source>
        <translation>准确率 / pass@1</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="62"/>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="65"/>
        <source>KL / entropy / clip / mismatch</source>
        <translation>KL / 熵 / 裁剪 / 失配</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="68"/>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="71"/>
        <source>Throughput / time</source>
        <translation>吞吐量 / 时间</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="74"/>
        <source>Distributed</source>
        <translation>分布式</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="77"/>
        <source>Loss / LR / grad norm</source>
        <translation>损失 / 学习率 / 梯度范数</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="80"/>
        <source>Rejection sampling</source>
        <translation>拒绝采样</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/metric_families.cpp" line="83"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ModelLineUp</name>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="27"/>
        <location filename="../widgets/model_line_up.cpp" line="27"/>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="40"/>
        <location filename="../widgets/model_line_up.cpp" line="40"/>
        <source>%1.</source>
        <translation>%1.</translation>
    </message>
    <message>
        <source>Model folder: Hugging Face checkpoint or a run&apos;s checkpoint; or endpoint URL#MODEL</source>
        <translation type="vanished">模型文件夹：Hugging Face 检查点或某次运行的检查点；或端点 URL#模型</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="44"/>
        <location filename="../widgets/model_line_up.cpp" line="44"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="47"/>
        <location filename="../widgets/model_line_up.cpp" line="47"/>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="48"/>
        <location filename="../widgets/compare/model_line_up.cpp" line="93"/>
        <location filename="../widgets/model_line_up.cpp" line="48"/>
        <location filename="../widgets/model_line_up.cpp" line="93"/>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation type="vanished">模型文件夹</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="120"/>
        <location filename="../widgets/model_line_up.cpp" line="120"/>
        <source>loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="146"/>
        <location filename="../widgets/model_line_up.cpp" line="146"/>
        <source>Model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="45"/>
        <location filename="../widgets/model_line_up.cpp" line="45"/>
        <source>Remote…</source>
        <translation>远程…</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="42"/>
        <location filename="../widgets/model_line_up.cpp" line="42"/>
        <source>Model folder (Hugging Face checkpoint or a run&apos;s checkpoint), .gguf file, or endpoint URL#MODEL</source>
        <translation>模型文件夹（Hugging Face 检查点或某次运行的检查点）、.gguf 文件或端点 URL#模型</translation>
    </message>
    <message>
        <location filename="../widgets/compare/model_line_up.cpp" line="46"/>
        <location filename="../widgets/model_line_up.cpp" line="46"/>
        <source>A model served by an OpenAI-compatible endpoint</source>
        <translation>由 OpenAI 兼容端点提供服务的模型</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ModelWorker</name>
    <message>
        <location filename="../widgets/model_worker.cpp" line="60"/>
        <source>%1 · %2 template</source>
        <translation>%1 · %2 模板</translation>
    </message>
    <message>
        <location filename="../widgets/model_worker.cpp" line="59"/>
        <source>%1 · served by %2</source>
        <translation>%1 · 由 %2 提供服务</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ReasoningSection</name>
    <message numerus="yes">
        <location filename="../widgets/common/reasoning_section.cpp" line="68"/>
        <source>Reasoning · %n token(s)</source>
        <translation>
            <numerusform>推理 · %n 个 token</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::RemoteModelDialog</name>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="20"/>
        <source>Remote model</source>
        <translation>远程模型</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="22"/>
        <source>as the server lists it; empty: its only model</source>
        <translation>与服务器列出的名称一致；留空：使用它唯一的模型</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="23"/>
        <source>empty: $OPENAI_API_KEY</source>
        <translation>留空：使用 $OPENAI_API_KEY</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="32"/>
        <source>An OpenAI-compatible server: vLLM, llama.cpp, Ollama, LM Studio or thinkbench-cli serve. Reasoning is read from reasoning_content or from &lt;think&gt; tags in the reply.</source>
        <translation>OpenAI 兼容的服务器：vLLM、llama.cpp、Ollama、LM Studio 或 thinkbench-cli serve。推理过程取自 reasoning_content 字段或回复中的 &lt;think&gt; 标签。</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="39"/>
        <source>Base URL:</source>
        <translation>基础 URL：</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="40"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="41"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../widgets/common/remote_model_dialog.cpp" line="44"/>
        <source>Load</source>
        <translation>加载</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ReplyColumn</name>
    <message>
        <location filename="../widgets/compare/reply_column.cpp" line="17"/>
        <source>Open in trace stepper</source>
        <translation>在推理轨迹面板中打开</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::ResponseDiff</name>
    <message>
        <location filename="../widgets/trace/response_diff.cpp" line="73"/>
        <source>Select two responses of a group and press Diff.</source>
        <translation>选择同一组的两个回答，然后点击“比较”。</translation>
    </message>
    <message>
        <location filename="../widgets/trace/response_diff.cpp" line="105"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <location filename="../widgets/trace/response_diff.cpp" line="128"/>
        <source>%1 and %2 reasoning steps; %3 shared, %4 row(s) differ; %5.</source>
        <translation>%1 与 %2 个推理步骤；%3 个相同，%4 行不同；%5。</translation>
    </message>
    <message>
        <location filename="../widgets/trace/response_diff.cpp" line="133"/>
        <source>same answer</source>
        <translation>答案相同</translation>
    </message>
    <message>
        <location filename="../widgets/trace/response_diff.cpp" line="133"/>
        <source>different answers</source>
        <translation>答案不同</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::RunControl</name>
    <message>
        <location filename="../widgets/run_control.cpp" line="34"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="35"/>
        <location filename="../widgets/run_control.cpp" line="347"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="36"/>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="40"/>
        <source>Train the recipe into the run database</source>
        <translation>按配方训练，并将结果写入运行数据库</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="41"/>
        <source>Write a checkpoint and stop</source>
        <translation>保存检查点后停止</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="42"/>
        <source>Continue the run from its last checkpoint</source>
        <translation>从最近的检查点继续该运行</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="47"/>
        <source>Start and Resume train on this many local processes (ranks), data parallel: each process takes its share of every step&apos;s batch (optimizer.grad_accumulation and GRPO&apos;s prompts_per_step must be multiples of it) and runs the recipe&apos;s threads (all cores when 0), so processes × threads should not exceed the cores.</source>
        <translation>“开始”和“继续”在这么多个本地进程（rank）上数据并行训练：每个进程承担每一步批次中的一份（optimizer.grad_accumulation 和 GRPO 的 prompts_per_step 必须是它的倍数），并运行配方中的 threads 个线程（为 0 时用全部核心），因此进程数 × 线程数不应超过核心数。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="55"/>
        <source>Idle.</source>
        <translation>空闲。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="57"/>
        <source>Processes</source>
        <translation>进程</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="146"/>
        <source>Choose a recipe first.</source>
        <translation>请先选择配方。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="164"/>
        <source>No run to resume.</source>
        <translation>没有可恢复的运行。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="174"/>
        <source>Open or create a run database first.</source>
        <translation>请先打开或创建运行数据库。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="178"/>
        <source>The training program %1 is missing or not executable.</source>
        <translation>训练程序 %1 不存在或不可执行。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="196"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="196"/>
        <source>Starting %1 processes…</source>
        <translation>正在启动 %1 个进程…</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="211"/>
        <source>Stopping: writing a checkpoint… (Stop again to kill)</source>
        <translation>正在停止：正在保存检查点…（再次点击“停止”可强制终止）</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="245"/>
        <source>Stage %1/%2</source>
        <translation>阶段 %1/%2</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="246"/>
        <source>Stage %1</source>
        <translation>阶段 %1</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="254"/>
        <source>Run %1 · %2 %3 (%4)</source>
        <translation>运行 %1 · %2 %3（%4）</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="272"/>
        <source>Run %1 · %2 %3: step %4/%5%6</source>
        <translation>运行 %1 · %2 %3：步数 %4/%5%6</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="281"/>
        <source>Run %1 · %2: pass@1 %3%</source>
        <translation>运行 %1 · %2：pass@1 %3%</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="304"/>
        <source>Run %1 stopped; Resume continues from its last checkpoint.</source>
        <translation>运行 %1 已停止；点击“恢复”可从最近的检查点继续。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="307"/>
        <source>Run %1 finished.</source>
        <translation>运行 %1 已完成。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="309"/>
        <source>Run %1 %2.
%3</source>
        <translation>运行 %1：%2。
%3</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="312"/>
        <source>Run %1 killed; Resume continues from its last checkpoint.</source>
        <translation>运行 %1 已被强制终止；点击“恢复”可从最近的检查点继续。</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="313"/>
        <source>The training process crashed.
%1</source>
        <translation>训练进程崩溃。
%1</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="317"/>
        <source>Training failed (exit code %1).
%2</source>
        <translation>训练失败（退出码 %1）。
%2</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="329"/>
        <source>Cannot start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/run_control.cpp" line="347"/>
        <source>Kill</source>
        <translation>强制终止</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::RunDetails</name>
    <message>
        <location filename="../widgets/run_details.cpp" line="27"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="30"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="31"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="36"/>
        <source>%1 steps a second</source>
        <translation>每秒 %1 步</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="37"/>
        <source>%1 s a step</source>
        <translation>每步 %1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="55"/>
        <source>Processes: %1 × %2</source>
        <translation>进程：%1 × %2</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="62"/>
        <source> · tokens/s by rank: %1</source>
        <translation> · 各 rank 的 tokens/s：%1</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="64"/>
        <source> · collectives %1 s a step</source>
        <translation> · 集合通信每步 %1 秒</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="79"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="85"/>
        <source>The processes (ranks) training this stage, their c10d backend, each rank&apos;s training throughput at the latest step and rank 0&apos;s time in collectives that step</source>
        <translation>训练此阶段的进程（rank）、它们的 c10d 后端、最近一步每个 rank 的训练吞吐量，以及 rank 0 在该步集合通信上花的时间</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="105"/>
        <source>The recipe the run was started with (read-only)</source>
        <translation>该运行启动时所用的配方（只读）</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="117"/>
        <source>Recipe, as the run database keeps it:</source>
        <translation>配方（运行数据库中保存的版本）：</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="130"/>
        <source>Select a run to see its stage, progress, time left and recipe.</source>
        <translation>选择一个运行，查看其阶段、进度、剩余时间和配方。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="175"/>
        <source>Run %1 · %2 · %3%4</source>
        <translation>运行 %1 · %2 · %3%4</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="177"/>
        <source> · started here</source>
        <translation> · 由本窗口启动</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="181"/>
        <source>No stage begun yet.</source>
        <translation>尚未开始任何阶段。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="183"/>
        <source>Stage %1 of %2</source>
        <translation>阶段 %1/%2</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="184"/>
        <source>Stage %1</source>
        <translation>阶段 %1</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="185"/>
        <source>%1: %2 (%3), %4</source>
        <translation>%1：%2（%3），%4</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="191"/>
        <source>The stored recipe does not parse: %1</source>
        <translation>保存的配方无法解析：%1</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="208"/>
        <source>Step %1 of %2 (%3%)</source>
        <translation>第 %1/%2 步（%3%）</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="210"/>
        <source>Step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="212"/>
        <source>No training steps written in this stage.</source>
        <translation>本阶段尚未写入训练步。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="220"/>
        <location filename="../widgets/run_details.cpp" line="260"/>
        <source>Stopping: the training process writes a checkpoint, then exits.</source>
        <translation>正在停止：训练进程保存检查点后退出。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="222"/>
        <location filename="../widgets/run_details.cpp" line="274"/>
        <source>Stop requested: the run writes a checkpoint and stops after its current step.</source>
        <translation>已请求停止：该运行完成当前步后保存检查点并停止。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="224"/>
        <source>Stalled: nothing written for %1.</source>
        <translation>已停滞：%1 内没有写入任何数据。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="227"/>
        <source>About %1 left in this stage, at %2.</source>
        <translation>本阶段约剩 %1，速度 %2。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="229"/>
        <source>Running, at %1.</source>
        <translation>运行中，速度 %1。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="229"/>
        <source>Running.</source>
        <translation>运行中。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="231"/>
        <source>Finished %1.</source>
        <translation>已于 %1 完成。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="233"/>
        <source>Stopped %1; Resume continues it from its last checkpoint.</source>
        <translation>已于 %1 停止；点击“恢复”可从最近的检查点继续。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="235"/>
        <source>Failed %1.</source>
        <translation>已于 %1 失败。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="238"/>
        <source>Created, not started.</source>
        <translation>已创建，尚未开始。</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="245"/>
        <source>Stop the training process this window started: it writes a checkpoint first</source>
        <translation>停止本窗口启动的训练进程：它会先保存检查点</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="246"/>
        <source>Ask the run&apos;s trainer, through the run database, to write a checkpoint and stop after its current step</source>
        <translation>通过运行数据库请求该运行的训练进程在当前步之后保存检查点并停止</translation>
    </message>
    <message>
        <location filename="../widgets/run_details.cpp" line="268"/>
        <source>Cannot ask the run to stop: %1</source>
        <translation>无法请求该运行停止：%1</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::RunsPanel</name>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="46"/>
        <source>No run database open. Use File → Open run database…</source>
        <translation>尚未打开运行数据库。请使用 文件 → 打开运行数据库…</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Last step</source>
        <translation>最新步数</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="49"/>
        <source>Processes</source>
        <translation>进程</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="50"/>
        <source>The processes (ranks) of the latest stage and their backend</source>
        <translation>最近一个阶段的进程（rank）及其后端</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="151"/>
        <source>Cannot open the run database: %1</source>
        <translation>无法打开运行数据库：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/runs_panel.cpp" line="174"/>
        <source>%n run(s) in %1</source>
        <translation>
            <numerusform>%1 中有 %n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="192"/>
        <source>Host %1, ThinkBench %2</source>
        <translation>主机 %1，ThinkBench %2</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::SamplingBar</name>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="22"/>
        <source>0 samples greedily</source>
        <translation>为 0 时使用贪心采样</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="28"/>
        <source>unlimited</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="29"/>
        <source>Reasoning tokens before the thought is closed</source>
        <translation>强制结束思考前允许的推理 token 数</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="32"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="33"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="34"/>
        <source>Max new tokens</source>
        <translation>最大新 token 数</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="35"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../widgets/common/sampling_bar.cpp" line="36"/>
        <source>Think budget</source>
        <translation>思考预算</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::SideBySide</name>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="32"/>
        <source>Blind</source>
        <translation>盲测</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="33"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="34"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="38"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="40"/>
        <source>Ground-truth answer (optional)</source>
        <translation>参考答案（可选）</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="41"/>
        <source>Two of the models answer as anonymous A and B; vote, then see which</source>
        <translation>其中两个模型以匿名的 A 和 B 作答；投票后揭晓各是哪个模型</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/compare/side_by_side.cpp" line="105"/>
        <source>%1 tok/s · reasoning %n token(s)</source>
        <translation>
            <numerusform>%1 tok/s · 推理 %n 个 token</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="150"/>
        <source>%1 · side by side</source>
        <translation>%1 · 并排对比</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="162"/>
        <source>Blind comparison needs two loaded models.</source>
        <translation>盲测需要已加载两个模型。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="162"/>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="207"/>
        <location filename="../widgets/compare/side_by_side.cpp" line="265"/>
        <source>Names are revealed after your vote.</source>
        <translation>投票后揭晓模型名称。</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="218"/>
        <source>Model A</source>
        <translation>模型 A</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="218"/>
        <source>Model B</source>
        <translation>模型 B</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="219"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="259"/>
        <source> · ✓ correct</source>
        <translation> · ✓ 正确</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="259"/>
        <source> · ✗ wrong</source>
        <translation> · ✗ 错误</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/compare/side_by_side.cpp" line="260"/>
        <source>%1 tok/s · reasoning %n token(s) · answer: %2</source>
        <translation>
            <numerusform>%1 tok/s · 推理 %n 个 token · 答案：%2</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="262"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/compare/side_by_side.cpp" line="263"/>
        <source> · stopped</source>
        <translation> · 已停止</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::SmallChart</name>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="24"/>
        <source>%1 chart</source>
        <translation>%1 图表</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="37"/>
        <source>Pin %1</source>
        <translation>固定 %1</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="36"/>
        <source>Pin: pinned charts come first</source>
        <translation>固定：已固定的图表排在最前</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="42"/>
        <source>Open %1 large</source>
        <translation>以大图打开 %1</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="41"/>
        <source>Open as the large chart (or double-click the plot)</source>
        <translation>以大图打开（或双击图表）</translation>
    </message>
    <message>
        <location filename="../widgets/dashboard/small_chart.cpp" line="57"/>
        <source>Click a point to open its samples; drag to pan, Ctrl+wheel to zoom the steps of every chart; double-click to open large</source>
        <translation>点击数据点打开其样本；拖动以平移，Ctrl+滚轮缩放所有图表的步数；双击以大图打开</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::StageEditor</name>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="45"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="46"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="47"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="48"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="55"/>
        <source>Built-in recipes…</source>
        <translation>内置配方…</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="56"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="57"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="69"/>
        <source>Kind of the stage to add</source>
        <translation>要添加的阶段类型</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="73"/>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="98"/>
        <source>TOML</source>
        <translation>TOML</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="173"/>
        <source>cannot read the recipe file</source>
        <translation>无法读取配方文件</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="199"/>
        <source>cannot write the recipe file</source>
        <translation>无法写入配方文件</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="273"/>
        <source>unknown kind</source>
        <translation>未知类型</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/stage_editor.cpp" line="308"/>
        <source>(and %n more)</source>
        <translation>
            <numerusform>（另有 %n 项）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="363"/>
        <source>No stage</source>
        <translation>无阶段</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="365"/>
        <source>Stage %1: unknown kind</source>
        <translation>阶段 %1：未知类型</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="367"/>
        <source>Stage %1: %2</source>
        <translation>阶段 %1：%2</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="413"/>
        <source>Open recipe</source>
        <translation>打开配方</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="413"/>
        <location filename="../widgets/stage_editor.cpp" line="421"/>
        <source>Recipes (*.toml)</source>
        <translation>配方 (*.toml)</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor.cpp" line="421"/>
        <source>Save recipe</source>
        <translation>保存配方</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::StageForm</name>
    <message>
        <location filename="../widgets/stage_editor/stage_form.cpp" line="36"/>
        <source>Set a valid kind in the TOML view.</source>
        <translation>请在 TOML 视图中设置有效的类型 (kind)。</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor/stage_form.cpp" line="43"/>
        <source>name</source>
        <translation>name</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor/stage_form.cpp" line="67"/>
        <source>(empty: add keys in the TOML view)</source>
        <translation>（空：请在 TOML 视图中添加键）</translation>
    </message>
    <message>
        <location filename="../widgets/stage_editor/stage_form.cpp" line="142"/>
        <source>comma-separated</source>
        <translation>以逗号分隔</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::StoryPlot</name>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="39"/>
        <source>held-out pass@1 (± 1 s.e.)</source>
        <translation>留出集 pass@1（± 1 标准误）</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="44"/>
        <source>pass@1 of the eval stages before and after</source>
        <translation>前后评测阶段的 pass@1</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="49"/>
        <source>responses with reflection markers</source>
        <translation>含反思标记的回答</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="54"/>
        <source>mean response length (right axis)</source>
        <translation>平均回答长度（右轴）</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="69"/>
        <source>training step</source>
        <translation>训练步</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="70"/>
        <location filename="../widgets/emergence/story_plot.cpp" line="176"/>
        <source>pass@1, reflection share (%)</source>
        <translation>pass@1、反思占比 (%)</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="71"/>
        <source>tokens</source>
        <translation>token 数</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="79"/>
        <source>early trace</source>
        <translation>早期推理</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="79"/>
        <source>late trace</source>
        <translation>后期推理</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_plot.cpp" line="175"/>
        <source>reflection share (%)</source>
        <translation>反思占比 (%)</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::StoryTrace</name>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="22"/>
        <source>◀ Previous</source>
        <translation>◀ 上一个</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="23"/>
        <source>Next ▶</source>
        <translation>下一个 ▶</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="34"/>
        <source>The previous sample picked for this column</source>
        <translation>本栏选出的上一个样本</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="35"/>
        <source>The next sample picked for this column</source>
        <translation>本栏选出的下一个样本</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="76"/>
        <source>%1 · step %2</source>
        <translation>%1 · 第 %2 步</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="78"/>
        <source>✓ correct</source>
        <translation>✓ 正确</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="79"/>
        <source>✗ incorrect</source>
        <translation>✗ 错误</translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="80"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/emergence/story_trace.cpp" line="81"/>
        <source>%1 · answer %2 · %3 tokens · %n reflection marker(s)</source>
        <translation>
            <numerusform>%1 · 答案 %2 · %3 个 token · %n 个反思标记</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/emergence/story_trace.cpp" line="87"/>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::TraceStepper</name>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="80"/>
        <source>Samples written at this step</source>
        <translation>此步写入的样本</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="82"/>
        <source>No trace open</source>
        <translation>未打开推理轨迹</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="85"/>
        <source>Previous step</source>
        <translation>上一步</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="86"/>
        <source>Previous step (K or Up)</source>
        <translation>上一步（K 或 Up）</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="87"/>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="88"/>
        <source>Next step (J or Down)</source>
        <translation>下一步（J 或 Down）</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="89"/>
        <location filename="../widgets/trace_stepper.cpp" line="382"/>
        <source>Collapse reasoning</source>
        <translation>折叠推理过程</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="96"/>
        <source>Find in trace</source>
        <translation>在推理轨迹中查找</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="100"/>
        <source>Find:</source>
        <translation>查找：</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="110"/>
        <source>Colour by log-prob</source>
        <translation>按对数概率着色</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="111"/>
        <source>Colour by entropy</source>
        <translation>按熵着色</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="118"/>
        <location filename="../widgets/trace_stepper.cpp" line="273"/>
        <source>Trace</source>
        <translation>推理轨迹</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="119"/>
        <source>Tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="121"/>
        <source>Groups</source>
        <translation>组</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="123"/>
        <source>Diff</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="127"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="127"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="208"/>
        <source>Run %1 · stage %2 · step %3 · sample %4</source>
        <translation>运行 %1 · 阶段 %2 · 第 %3 步 · 样本 %4</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="243"/>
        <source>Evaluation item %1 (%2) · sample %3</source>
        <translation>评测项 %1（%2）· 样本 %3</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="277"/>
        <source>Extracted answer</source>
        <translation>提取的答案</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="277"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="278"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="278"/>
        <source>(not verified)</source>
        <translation>（未验证）</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="278"/>
        <location filename="../widgets/trace_stepper.cpp" line="401"/>
        <location filename="../widgets/trace_stepper.cpp" line="430"/>
        <source>correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="278"/>
        <location filename="../widgets/trace_stepper.cpp" line="401"/>
        <location filename="../widgets/trace_stepper.cpp" line="430"/>
        <source>wrong</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="279"/>
        <location filename="../widgets/trace_stepper.cpp" line="307"/>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace_stepper.cpp" line="279"/>
        <source>%n step(s), %1 reflection marker(s)</source>
        <translation>
            <numerusform>%n 个步骤，%1 个反思标记</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="282"/>
        <source>Reward: %1</source>
        <translation>奖励：%1</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="294"/>
        <source>Step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="294"/>
        <source>No reasoning steps</source>
        <translation>无推理步骤</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="297"/>
        <source>Open a sample from the runs, a curve point or an evaluation.</source>
        <translation>请从运行列表、曲线数据点或评测结果中打开一个样本。</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="304"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace_stepper.cpp" line="310"/>
        <source>%n step(s) hidden</source>
        <translation>
            <numerusform>已隐藏 %n 个步骤</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="323"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="325"/>
        <source>(no answer)</source>
        <translation>（无答案）</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="338"/>
        <source>No token entropies stored for this trace.</source>
        <translation>此推理轨迹未存储 token 熵。</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="339"/>
        <source>No token log-probs stored for this trace.</source>
        <translation>此推理轨迹未存储 token 对数概率。</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="382"/>
        <source>Expand reasoning</source>
        <translation>展开推理过程</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="398"/>
        <location filename="../widgets/trace_stepper.cpp" line="427"/>
        <source>Sample %1 · reward %2 · %3</source>
        <translation>样本 %1 · 奖励 %2 · %3</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="402"/>
        <source> · group %1</source>
        <translation> · 组 %1</translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="412"/>
        <source>No samples stored for run %1 at step %2</source>
        <translation>运行 %1 在第 %2 步没有存储的样本</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/trace_stepper.cpp" line="456"/>
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n 处匹配</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/trace_stepper.cpp" line="456"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
</context>
</TS>
