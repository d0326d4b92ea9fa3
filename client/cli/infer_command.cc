// `trtserve-client infer`: one ModelInfer request built from .npy files or generated data;
// prints every output (dtype, shape, a preview, argmax per row for [N, C] float outputs) and
// with --output-dir saves each as DIR/NAME.npy. Without --output-dir nothing is written.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "client/cli/cli_common.h"
#include "client/infer_io.h"
#include "client/npy.h"

namespace trt::client::cli {
namespace {

namespace fs = std::filesystem;

struct InferOptions {
  ConnectionFlags connection;
  std::string model, version;
  std::vector<std::string> inputs;   // NAME=FILE.npy|random|zeros
  std::vector<std::string> shapes;   // NAME:DIMS
  std::vector<std::string> outputs;  // requested outputs ("" = all)
  int64_t batch = 0;                 // for random/zeros; 0 = from --shape or 1
  std::string output_dir;
  int preview = 6;
  uint64_t seed = 1;
};

std::string InputNames(const ModelInfo& model) {
  std::string s;
  for (const auto& t : model.inputs) s += (s.empty() ? "" : ", ") + t.name;
  return s;
}

// Builds the request tensors from --input/--shape/-b, in model input order.
StatusOr<std::vector<HostTensor>> BuildInputs(const InferOptions& o, const ModelInfo& model) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const std::string& s : o.shapes) {
    TRTC_ASSIGN_OR_RETURN(auto parsed, ParseShapeOption(s));
    if (!model.FindInput(parsed.first)) {
      return InvalidArgumentError("--shape " + parsed.first + ": model '" + model.name +
                                  "' has no input '" + parsed.first +
                                  "' (inputs: " + InputNames(model) + ")");
    }
    shapes[parsed.first] = parsed.second;
  }
  std::map<std::string, std::string> sources;
  for (const std::string& spec : o.inputs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      if (model.inputs.size() != 1) {
        return InvalidArgumentError("--input '" + spec + "' has no NAME=; model '" + model.name +
                                    "' has inputs " + InputNames(model) +
                                    ", so write --input NAME=FILE.npy (or NAME=random)");
      }
      sources[model.inputs[0].name] = spec;
      continue;
    }
    const std::string name = spec.substr(0, eq);
    if (!model.FindInput(name)) {
      return InvalidArgumentError("--input " + name + ": model '" + model.name +
                                  "' has no input '" + name + "' (inputs: " + InputNames(model) +
                                  ")");
    }
    sources[name] = spec.substr(eq + 1);
  }
  std::vector<HostTensor> tensors;
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    const TensorSpec& spec = model.inputs[i];
    const auto src = sources.find(spec.name);
    if (src == sources.end()) {
      return InvalidArgumentError("model '" + model.name + "' input '" + spec.name +
                                  "' has no data: add --input " + spec.name +
                                  "=FILE.npy (or =random / =zeros)");
    }
    if (src->second == "random" || src->second == "zeros") {
      const auto shape_it = shapes.find(spec.name);
      TRTC_ASSIGN_OR_RETURN(auto shape,
                            ResolveShape(model, spec, o.batch,
                                         shape_it == shapes.end() ? nullptr : &shape_it->second));
      TRTC_ASSIGN_OR_RETURN(
          HostTensor t,
          MakeFilledTensor(spec.name, spec.datatype, shape,
                           src->second == "zeros" ? Fill::kZeros : Fill::kRandom, o.seed + i));
      tensors.push_back(std::move(t));
    } else {
      TRTC_ASSIGN_OR_RETURN(HostTensor t, ReadNpy(src->second));
      auto fitted = FitTensorToInput(std::move(t), model, spec, o.batch);
      if (!fitted.ok()) return WithContext(fitted.status(), src->second);
      tensors.push_back(std::move(fitted).value());
    }
  }
  return tensors;
}

int RunInfer(const InferOptions& o) {
  auto pool = Connect(o.connection);
  if (!pool.ok()) return ReportError(pool.status());
  if ((*pool)->size() != 1) {
    return ReportError("infer sends one request: give a single endpoint with -u HOST:PORT");
  }
  KServeClient& client = (*pool)->at(0);
  auto model = FetchModelInfo(client, o.model, o.version);
  if (!model.ok()) return ReportError(model.status());
  auto inputs = BuildInputs(o, *model);
  if (!inputs.ok()) return ReportError(inputs.status());
  if (!o.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.output_dir, ec);
    if (ec)
      return ReportError("cannot create --output-dir '" + o.output_dir + "': " + ec.message());
  }
  const auto request = BuildInferRequest(o.model, o.version, *inputs, o.outputs);
  const auto start = std::chrono::steady_clock::now();
  auto response = client.Infer(request);
  const auto end = std::chrono::steady_clock::now();
  if (!response.ok()) return ReportError(response.status());
  auto outputs = ParseInferResponse(*response);
  if (!outputs.ok()) return ReportError(outputs.status());
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.2f",
                std::chrono::duration<double, std::milli>(end - start).count());
  std::cerr << "model " << response->model_name() << " version " << response->model_version()
            << " answered in " << elapsed << " ms" << std::endl;
  for (const HostTensor& t : *outputs) {
    std::cout << t.name << ": " << t.datatype << " " << ShapeToString(t.shape) << " "
              << Preview(t, o.preview);
    if (!o.output_dir.empty()) {
      const std::string path =
          (fs::path(o.output_dir) / (FileNameForTensor(t.name) + ".npy")).string();
      Status s = WriteNpy(path, t);
      if (!s.ok()) return ReportError(s);
      std::cout << " -> " << path;
    }
    std::cout << "\n";
    const auto argmax = ArgmaxPerRow(t);
    if (!argmax.empty()) {
      std::cout << "  argmax per row: [";
      for (size_t r = 0; r < argmax.size(); ++r) std::cout << (r ? ", " : "") << argmax[r];
      std::cout << "]\n";
    }
  }
  return 0;
}

}  // namespace

void RegisterInfer(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<InferOptions>();
  CLI::App* sub = app.add_subcommand(
      "infer", "Send one inference request and print (optionally save) the outputs");
  AddConnectionFlags(sub, &opts->connection);
  sub->add_option("-m,--model", opts->model, "Model name")->required();
  sub->add_option("-x,--model-version", opts->version,
                  "Model version (default: the server's choice, usually the latest)");
  sub->add_option("-i,--input", opts->inputs,
                  "NAME=FILE.npy, NAME=random or NAME=zeros, once per model input (NAME= may "
                  "be omitted for a single-input model)")
      ->required();
  sub->add_option("--shape", opts->shapes,
                  "NAME:DIMS for random/zeros inputs with variable dims, e.g. input:4x1x8x8 "
                  "(full shape) or input:1x8x8 (batch dim excluded)");
  sub->add_option("-b,--batch-size", opts->batch,
                  "Batch size for random/zeros inputs of a batching model; a .npy without the "
                  "batch dim is repeated this many times (default 1)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--output", opts->outputs, "Request only this output (repeatable; default all)");
  sub->add_option("-o,--output-dir", opts->output_dir,
                  "Save each output as DIR/NAME.npy (default: print only, write nothing)");
  sub->add_option("--preview", opts->preview, "Values shown per output")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--seed", opts->seed, "Seed for random inputs")->capture_default_str();
  sub->footer(
      "Examples:\n"
      "  trtserve-client infer -m digits --input input=tests/data/digits/images.npy\n"
      "  trtserve-client infer -m digits --input input=random -b 4 --output-dir out/\n"
      "  trtserve-client infer -u 10.0.0.5:8001 -m bert --input input_ids=ids.npy "
      "--input attention_mask=mask.npy");
  *run = [opts] { return RunInfer(*opts); };
}

}  // namespace trt::client::cli
