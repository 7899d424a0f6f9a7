<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="19"/>
        <source>A workbench for reasoning models in the style of DeepSeek-R1</source>
        <translation>DeepSeek-R1 风格推理模型的工作台</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="23"/>
        <source>Interface language, e.g. zh_CN</source>
        <translation>界面语言，例如 zh_CN</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="27"/>
        <source>Run database to open</source>
        <translation>要打开的运行数据库</translation>
    </message>
</context>
<context>
    <name>thinkbench::app::MainWindow</name>
    <message>
        <location filename="../app/gui/main_window.cpp" line="44"/>
        <source>ThinkBench</source>
        <translation>ThinkBench</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="58"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="59"/>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="60"/>
        <source>Reward, accuracy, length, KL and expert-load curves of the selected runs.</source>
        <translation>所选运行的奖励、准确率、长度、KL 与专家负载曲线。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="63"/>
        <source>Traces</source>
        <translation>推理轨迹</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="64"/>
        <source>Step through a sample&apos;s reasoning, answer and reward parts.</source>
        <translation>逐步查看样本的推理、答案与各项奖励。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="66"/>
        <source>Annotations</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="67"/>
        <source>Label steps and spans of a trace.</source>
        <translation>为推理轨迹的步骤和片段添加标签。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="68"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="69"/>
        <source>Models side by side on the same prompt.</source>
        <translation>在同一提示上并排比较模型。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="70"/>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="71"/>
        <source>Edit a recipe&apos;s stages and start, stop or resume a run.</source>
        <translation>编辑配方的阶段，并启动、停止或恢复运行。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="73"/>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="73"/>
        <source>Chat with a local model.</source>
        <translation>与本地模型对话。</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="88"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="106"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="107"/>
        <source>&amp;Open run database…</source>
        <translation>打开运行数据库(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="110"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="112"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="114"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="138"/>
        <source>ThinkBench — %1</source>
        <translation>ThinkBench — %1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="145"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="161"/>
        <source>Open run database</source>
        <translation>打开运行数据库</translation>
    </message>
    <message>
        <location filename="../app/gui/main_window.cpp" line="162"/>
        <source>Run databases (*.sqlite *.db);;All files (*)</source>
        <translation>运行数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>thinkbench::widgets::RunsPanel</name>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="29"/>
        <source>No run database open. Use File → Open run database…</source>
        <translation>尚未打开运行数据库。请使用 文件 → 打开运行数据库…</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="31"/>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="31"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="31"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="31"/>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="31"/>
        <source>Last step</source>
        <translation>最新步数</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="32"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="99"/>
        <source>Cannot open the run database: %1</source>
        <translation>无法打开运行数据库：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/runs_panel.cpp" line="119"/>
        <source>%n run(s) in %1</source>
        <translation>
            <numerusform>%1 中有 %n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/runs_panel.cpp" line="134"/>
        <source>Host %1, ThinkBench %2</source>
        <translation>主机 %1，ThinkBench %2</translation>
    </message>
</context>
</TS>
